/**
 * Delivers one notification as a JSON POST. Retries a failed delivery a few times with backoff (a receiving
 * chat or paging system may restart); a 4xx other than 408/429 is final. No redirects are followed: the
 * configured URL is the only place a notification goes.
 */
import type { Notification } from './notification.ts';

export class WebhookError extends Error {
  readonly code = 'E_WEBHOOK';
}

const ATTEMPTS = 4;

export async function postWebhook(url: string, notification: Notification, options: { attempts?: number; backoffMs?: number } = {}): Promise<void> {
  const attempts = options.attempts ?? ATTEMPTS;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/json', 'user-agent': 'beeldpoort-notifier', 'x-beeldpoort-event': notification.event },
        body: JSON.stringify(notification),
        signal: AbortSignal.timeout(10_000),
      });
      await response.body?.cancel();
      if (response.ok) return;
      lastError = new WebhookError(`webhook answered ${response.status}`);
      if (response.status < 500 && response.status !== 408 && response.status !== 429) break;
    } catch (error) {
      lastError = error;
    }
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, (options.backoffMs ?? 500) * 2 ** (attempt - 1)));
  }
  throw lastError instanceof Error ? lastError : new WebhookError(String(lastError));
}
