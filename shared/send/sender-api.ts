/**
 * The portal's sender API (docs/architecture.md, "HTTP API contract"), over fetch so the browser page and the
 * Node sender share it. Only the JSON calls live here; the file bytes go through an UploadTransport (tus).
 * Network failures and 5xx/429 answers are retried with backoff; every call here is idempotent (POST of the same
 * shipment id with the same files answers 200), so a retry after a lost answer is safe.
 */
import { SendError } from './send-error.ts';
import { retryDelay, sleep } from './retry.ts';

export type Purpose = 'transfer' | 'consult' | 'internal';

export interface LinkInfo {
  readonly linkId: string;
  readonly purpose: Purpose;
  readonly urgent: boolean;
  readonly institution: { readonly name: string; readonly department: string };
  /** The radiologist who issued the link; name and email are null for a link made with `beeldpoort link create`. */
  readonly issuedBy: { readonly name: string | null; readonly email?: string | null };
  readonly sender: { readonly name: string; readonly contact?: string };
  readonly note?: string | null;
  readonly expiresAt: string;
  readonly verificationCode: string;
  readonly limits: { readonly maxShipments: number; readonly maxBytes: number; readonly usedShipments: number; readonly usedBytes: number };
  /** The institution's public key (JWK) every file is encrypted to. */
  readonly publicKey: JsonWebKey & { kid?: string };
  readonly keyFingerprint: string;
}

/** One upload of the shipment as the portal holds it (a file, or a bundle of files: its `fileId` is the upload id). */
export interface ShipmentFileStatus {
  readonly fileId: string;
  /** Ciphertext bytes declared at creation. */
  readonly size: number;
  /** Bytes the portal holds so far. */
  readonly received: number;
  readonly complete: boolean;
  /** The tus upload URL of this file once one was created: a re-run resumes there (HEAD gives the offset). */
  readonly uploadUrl?: string | null;
}

export interface ShipmentStatus {
  readonly shipmentId: string;
  readonly state: string;
  readonly createdAt?: string;
  /** The uploads (for a shipment without bundles: one per file). */
  readonly files: readonly ShipmentFileStatus[];
  /** Manifest files (DICOM instances) over all uploads; absent from a portal that predates bundles. */
  readonly instances?: number;
  /** The import outcome once the worker reported (shape owned by the portal; read with readOutcome()). */
  readonly outcome?: unknown;
}

export interface CreateShipmentRequest {
  readonly shipmentId: string;
  readonly envelope: unknown;
  /** The uploads; `parts` lists the manifest file ids a bundle carries, in offset order (parts[0] === fileId). */
  readonly files: ReadonlyArray<{ readonly fileId: string; readonly size: number; readonly parts?: readonly string[] }>;
}

export interface SenderApi {
  /** The portal base URL (no trailing slash): API calls and the tus endpoint hang below it. */
  readonly baseUrl: string;
  readonly token: string;
  /** tus creation endpoint (`${baseUrl}/uploads`). */
  readonly uploadEndpoint: string;
  link(): Promise<LinkInfo>;
  /** 201 new, 200 the same shipment again (resume). */
  createShipment(request: CreateShipmentRequest): Promise<{ shipmentId: string; state: string }>;
  shipment(shipmentId: string): Promise<ShipmentStatus>;
}

export interface SenderApiOptions {
  /** Attempts per call for network errors and 5xx/429 (default 6: about half a minute of backoff). */
  attempts?: number;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** Splits a link URL `…/s/#<token>` into the portal base URL and the token (the whole fragment). */
export function parseLinkUrl(linkUrl: string): { baseUrl: string; token: string } {
  let url: URL;
  try {
    url = new URL(linkUrl);
  } catch {
    throw new SendError('E_LINK_INVALID', `"${linkUrl}" is not a link URL (expected https://…/s/#token)`);
  }
  const token = decodeURIComponent(url.hash.replace(/^#/, ''));
  const at = url.pathname.lastIndexOf('/s/');
  if (!token || at < 0 || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new SendError('E_LINK_INVALID', `"${linkUrl}" is not a link URL (expected https://…/s/#token)`);
  }
  return { baseUrl: `${url.origin}${url.pathname.slice(0, at)}`, token };
}

export function createSenderApi(linkUrl: string, options: SenderApiOptions = {}): SenderApi {
  const { baseUrl, token } = parseLinkUrl(linkUrl);
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const attempts = options.attempts ?? 6;

  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await doFetch(`${baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: options.signal,
        });
      } catch (error) {
        if (options.signal?.aborted) throw new SendError('E_SEND_ABORTED', 'aborted', { cause: error });
        if (attempt >= attempts) throw new SendError('E_SEND_NETWORK', `cannot reach the portal at ${baseUrl}: ${(error as Error).message}`, { cause: error });
        await sleep(retryDelay(attempt), options.signal);
        continue;
      }
      const text = await response.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (response.ok) return { status: response.status, json: json as T };
      const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
      if (retryable && attempt < attempts) {
        await sleep(retryDelay(attempt), options.signal);
        continue;
      }
      throw errorFromAnswer(response.status, json, `${method} ${path}`);
    }
  }

  return {
    baseUrl,
    token,
    uploadEndpoint: `${baseUrl}/uploads`,
    async link() {
      return (await call<LinkInfo>('GET', '/api/sender/link')).json;
    },
    async createShipment(request) {
      return (await call<{ shipmentId: string; state: string }>('POST', '/api/sender/shipments', request)).json;
    },
    async shipment(shipmentId) {
      return (await call<ShipmentStatus>('GET', `/api/sender/shipments/${encodeURIComponent(shipmentId)}`)).json;
    },
  };
}

/** Turns the portal's `{ error: { code, message } }` answer into a SendError with the portal's code. */
export function errorFromAnswer(status: number, json: unknown, what: string): SendError {
  const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string') {
    return new SendError(error.code, typeof error.message === 'string' ? error.message : error.code, { status });
  }
  return new SendError('E_SEND_PORTAL', `${what}: the portal answered HTTP ${status}`, { status });
}
