import { BeeldpoortError } from '../errors.ts';

/**
 * Stable codes of the sending pipeline. When the portal answers with an error body, the SendError carries the
 * PORTAL's code unchanged (E_LINK_EXPIRED, E_LINK_REVOKED, E_QUOTA_BYTES…, see server/portal/errors.ts) and its
 * HTTP status, so a sender shows one vocabulary whichever side found the problem. Codes of our own:
 * - E_SEND_NETWORK: the portal could not be reached, after the retries.
 * - E_SEND_PORTAL: the portal answered something that is not the API contract (no JSON, wrong shape).
 * - E_SEND_CONSENT_REQUIRED: a consultation link without the consent statement (refused before any upload).
 * - E_SEND_CONSENT_INVALID: the consent statement's date is not a YYYY-MM-DD date.
 * - E_SEND_NOTHING: no DICOM instance to send.
 * - E_SEND_FILE_CHANGED: a source file returned fewer or more bytes than its size (changed or removed under us).
 * - E_SEND_UPLOAD: a file upload kept failing after every retry.
 * - E_SEND_PROXY_LIMIT: something between sender and portal (not the portal) refused a request body as too large (413).
 * - E_SEND_INCOMPLETE: the uploads ended but the portal does not confirm every file complete (tus-js-client #557).
 * - E_SEND_ABORTED: the caller aborted.
 * - E_SEND_STATE: a resume state is unreadable or belongs to another link.
 * - E_SEND_NOT_CONFIRMED: the person did not confirm the inventory (or could not be asked: no terminal, no --yes).
 */
export type SendErrorCode =
  | 'E_SEND_NETWORK'
  | 'E_SEND_PORTAL'
  | 'E_SEND_CONSENT_REQUIRED'
  | 'E_SEND_CONSENT_INVALID'
  | 'E_SEND_NOTHING'
  | 'E_SEND_FILE_CHANGED'
  | 'E_SEND_UPLOAD'
  | 'E_SEND_PROXY_LIMIT'
  | 'E_SEND_INCOMPLETE'
  | 'E_SEND_ABORTED'
  | 'E_SEND_STATE'
  | 'E_SEND_NOT_CONFIRMED';

export class SendError extends BeeldpoortError {
  /** HTTP status when the portal answered; undefined for local and network failures. */
  readonly status: number | undefined;

  constructor(code: SendErrorCode | (string & {}), message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status;
  }

  /** True when retrying later cannot help (a 4xx answer other than 408/423/429, or a local problem). */
  get permanent(): boolean {
    if (this.code === 'E_SEND_NETWORK') return false;
    if (this.status === undefined) return this.code !== 'E_SEND_UPLOAD';
    return this.status >= 400 && this.status < 500 && ![408, 423, 429].includes(this.status);
  }
}

/** Link problems a person must act on (ask the radiologist for a new link). */
export const LINK_CODES: ReadonlySet<string> = new Set(['E_LINK_EXPIRED', 'E_LINK_REVOKED', 'E_LINK_INVALID', 'E_TOKEN_INVALID', 'E_TOKEN_MISSING']);
