/**
 * Plain-language text for a link the clerk cannot use (issue 7 item 1). Keyed on the portal's stable error
 * codes (server/portal/errors.ts, carried unchanged by shared/send SendError), never on messages.
 */
import type { LinkInfo } from '../../shared/send/index.ts';
import type { MessageKey } from './messages.ts';

export function linkErrorMessage(code: string | undefined): { key: MessageKey; retryable: boolean } {
  switch (code) {
    case 'E_LINK_EXPIRED':
      return { key: 'linkExpired', retryable: false };
    case 'E_LINK_REVOKED':
      return { key: 'linkRevoked', retryable: false };
    case 'E_QUOTA_SHIPMENTS':
    case 'E_QUOTA_BYTES':
    case 'E_LINK_EXHAUSTED':
      return { key: 'linkExhausted', retryable: false };
    case 'E_TOKEN_MISSING':
      return { key: 'linkMissing', retryable: false };
    case 'E_TOKEN_INVALID':
    case 'E_LINK_INVALID':
      return { key: 'linkInvalid', retryable: false };
    default:
      return { key: 'linkUnreachable', retryable: true };
  }
}

/** True when the link can take no new shipment (its quota is used up); resuming an earlier one may still work. */
export function isExhausted(link: Pick<LinkInfo, 'limits'>): boolean {
  return link.limits.usedShipments >= link.limits.maxShipments || link.limits.usedBytes >= link.limits.maxBytes;
}
