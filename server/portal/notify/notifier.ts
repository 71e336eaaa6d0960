/**
 * Sends notifications (notification.ts) by e-mail (nodemailer, when SMTP is configured) and/or to a webhook,
 * driven by the portal's change feed. Exactly once per shipment and event, durably: every delivery is an audit
 * record (`notification.sent`), and a shipment whose record is missing is notified on the next change or at
 * start-up, so a restart between the state change and the delivery loses nothing.
 */
import nodemailer from 'nodemailer';
import type { NotifySettings } from '../../config.ts';
import type { PortalContext } from '../context.ts';
import { buildNotification, eventsFor, mailFor, type Notification, type NotificationEvent } from './notification.ts';
import { postWebhook } from './webhook.ts';

export interface Notifier {
  /** Resolves when every notification started so far has been delivered or given up on. */
  idle(): Promise<void>;
  /** Stops listening, waits for deliveries in flight, closes the SMTP transport. */
  close(): Promise<void>;
  /**
   * Stops at once (the portal's synchronous close): a delivery still in flight is not recorded, so it is sent
   * again after the restart — at least once, never lost.
   */
  stop(): void;
}

type Channel = 'email' | 'webhook';
const CATCH_UP_MS = 24 * 3_600_000;
const MAX_FAILURES = 3;

export function startNotifier(ctx: Pick<PortalContext, 'stores' | 'changes' | 'log' | 'now'>, settings: NotifySettings, dashboardUrl: string): Notifier {
  const channels: Channel[] = [];
  const transport = settings.smtpUrl && settings.mailTo.length > 0 ? nodemailer.createTransport(settings.smtpUrl) : undefined;
  if (transport) channels.push('email');
  if (settings.webhookUrl) channels.push('webhook');
  // One chain per shipment keeps its deliveries in order and the "already sent?" check race-free.
  const queues = new Map<string, Promise<void>>();
  let closed = false;

  // Deliveries known to be recorded: a shipment changes once per reported file, so the audit is read once, not each time.
  const known = new Set<string>();
  // A receiver that keeps refusing is not retried on every later change of the shipment (each try is audited).
  const failures = new Map<string, number>();
  function sent(shipmentId: string, event: NotificationEvent, channel: Channel): boolean {
    const key = `${shipmentId}\n${event}\n${channel}`;
    if (known.has(key)) return true;
    const found = ctx.stores.audit.list({ objectId: shipmentId, limit: 1000 })
      .some((r) => r.action === 'notification.sent' && r.details?.event === event && r.details?.channel === channel);
    if (found) known.add(key);
    return found;
  }

  async function deliver(n: Notification, channel: Channel): Promise<void> {
    if (channel === 'webhook') {
      await postWebhook(settings.webhookUrl!, n);
    } else {
      const { subject, text } = mailFor(n);
      // priority 'high' sets X-Priority 1 and Importance: high (RFC 2156 §5.3) for transfers.
      await transport!.sendMail({ from: settings.mailFrom, to: [...settings.mailTo], subject, text, priority: n.urgent ? 'high' : 'normal' });
    }
  }

  async function check(shipmentId: string): Promise<void> {
    if (closed) return;
    // Every uploaded or reported file is a change: which events are due is decided from the shipment's small
    // columns and one index seek; its file rows are read only when a notification is actually sent (reading them
    // on every change made a CD quadratic).
    const shipment = ctx.stores.shipments.head(shipmentId);
    if (!shipment) return;
    // A shipment that finished without the earlier notices having gone out gets only the final one.
    const due = eventsFor({ state: shipment.state, allFilesComplete: ctx.stores.shipments.allFilesComplete(shipmentId) })
      .flatMap((event) => channels.map((channel) => ({ event, channel })))
      .filter(({ event, channel }) => (failures.get(`${shipmentId}\n${event}\n${channel}`) ?? 0) < MAX_FAILURES && !sent(shipmentId, event, channel));
    if (due.length === 0) return;
    const files = ctx.stores.manifestFiles.list(shipmentId);
    const facts = { shipment, senderName: ctx.stores.links.get(shipment.linkId)?.senderName ?? '', files };
    for (const { event, channel } of due) {
      const key = `${shipmentId}\n${event}\n${channel}`;
      const notification = buildNotification(facts, event, dashboardUrl, ctx.now());
      const object = { type: 'shipment', id: shipmentId };
      try {
        await deliver(notification, channel);
        if (closed) return; // stopped meanwhile: the database may be closed; the catch-up at start re-sends
        ctx.stores.audit.append({ actor: { kind: 'system', id: 'notifier' }, action: 'notification.sent', object, details: { event, channel, urgent: notification.urgent } }, ctx.now());
        known.add(key);
      } catch (error) {
        if (closed) return;
        failures.set(key, (failures.get(key) ?? 0) + 1);
        ctx.log.warn({ err: error, shipmentId, event, channel }, 'notification failed');
        ctx.stores.audit.append({ actor: { kind: 'system', id: 'notifier' }, action: 'notification.failed', object, details: { event, channel, error: String((error as Error).message ?? error).slice(0, 200) } }, ctx.now());
      }
    }
  }

  function schedule(shipmentId: string): void {
    const previous = queues.get(shipmentId) ?? Promise.resolve();
    const next = previous.then(() => check(shipmentId)).catch((error: unknown) => ctx.log.error({ err: error, shipmentId }, 'notifier check failed'));
    queues.set(shipmentId, next);
    void next.finally(() => {
      if (queues.get(shipmentId) === next) queues.delete(shipmentId);
    });
  }

  const onChange = (change: { shipmentId: string }) => schedule(change.shipmentId);
  if (channels.length > 0) {
    ctx.changes.on('shipment', onChange);
    const since = ctx.now() - CATCH_UP_MS;
    for (const shipment of ctx.stores.shipments.list({ limit: 1000 })) if (shipment.updatedAt >= since) schedule(shipment.id);
  }

  const idle = async () => {
    while (queues.size > 0) await Promise.all([...queues.values()]);
  };
  return {
    idle,
    async close() {
      ctx.changes.off('shipment', onChange);
      await idle();
      closed = true;
      transport?.close();
    },
    stop() {
      ctx.changes.off('shipment', onChange);
      closed = true;
      transport?.close();
    },
  };
}
