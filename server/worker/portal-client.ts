/**
 * The worker's side of the portal's pull API (docs/architecture.md, "Worker"): plain HTTP(S) with the worker
 * credential as bearer. The worker never listens; this module is its only door to the portal. It imports nothing
 * from server/portal/: the contract is the HTTP API, so portal and worker can live on different machines.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { WorkerError } from './worker-error.ts';

/** One upload on the portal (a tus upload: one file of v1, or a bundle of manifest v2). */
export interface PortalFile {
  /** The upload id. */
  readonly fileId: string;
  /** Its ciphertext octets (the declared tus Upload-Length). */
  readonly size: number;
  readonly complete: boolean;
  /** The manifest file ids this upload carries, in offset order; only in the lease answer, only for a bundle. */
  readonly parts?: readonly string[];
}

/** Octets [offset, offset + length) of an upload. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

export interface Lease {
  readonly shipmentId: string;
  readonly leaseToken: string;
  readonly leaseExpiresAt: string;
  readonly purpose: string;
  readonly urgent: boolean;
  readonly envelope: unknown;
  readonly state: string;
  readonly files: readonly PortalFile[];
}

export interface Heartbeat {
  readonly leaseExpiresAt: string;
  readonly state: string;
  readonly files: readonly PortalFile[];
}

export interface FileReport {
  readonly fileId: string;
  readonly outcome: 'stored' | 'warning' | 'rejected' | 'failed';
  readonly code?: string;
  readonly reason?: string;
  readonly dimseStatus?: number;
  readonly sopInstanceUid?: string;
}

export type FinalState = 'imported' | 'imported-with-failures' | 'failed';

export interface PortalClient {
  /** The next ready shipment, or undefined when there is none (204). */
  lease(workerId: string): Promise<Lease | undefined>;
  statements(shipmentId: string, body: { leaseToken: string; statements: unknown; summary: unknown }): Promise<{ state: string }>;
  heartbeat(shipmentId: string, leaseToken: string): Promise<Heartbeat>;
  /**
   * The ciphertext of one upload, streamed: the whole upload, or exactly `range` of it (a file inside a bundle).
   * A range answered other than 206 with exactly those octets is E_PORTAL, never passed on.
   */
  download(shipmentId: string, uploadId: string, signal?: AbortSignal, range?: ByteRange): Promise<AsyncIterable<Uint8Array>>;
  report(shipmentId: string, body: { leaseToken: string; files: readonly FileReport[] }): Promise<void>;
  finish(shipmentId: string, body: { leaseToken: string; state: FinalState; reason?: string }): Promise<void>;
  /** `retryAfterSeconds`: the portal offers the shipment to no one before then (others go first). */
  release(shipmentId: string, body: { leaseToken: string; reason: string; retryAfterSeconds?: number }): Promise<void>;
}

/**
 * One request over node:http(s) through a keep-alive agent. Not global fetch: the worker downloads every file of a
 * shipment separately, and undici's web streams cost measurably more CPU per file than a Node stream over a reused
 * socket (the profile of a 1,328-file CD). The agent drops a socket idle for 4 s, before the portal's 5 s keep-alive
 * timeout closes it, so a request never goes out on a socket the server is closing.
 */
function send(url: URL, agent: http.Agent, method: string, headers: Record<string, string>, body?: string, signal?: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, { method, headers, agent, signal }, resolve);
    request.on('error', reject);
    request.end(body);
  });
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The body as it streams in. A connection cut mid-body (the portal restarted) is an outage like a refused connection:
 * E_PORTAL, retried. A body shorter than its Content-Length is the same outage: it must never reach the decryptor,
 * which would take the missing tail for tampering (E_DECRYPT).
 */
async function* portalStream(body: IncomingMessage, fileId: string, expected?: number): AsyncIterable<Uint8Array> {
  const declared = expected ?? Number(body.headers['content-length'] ?? NaN);
  let received = 0;
  try {
    for await (const chunk of body) {
      received += (chunk as Buffer).length;
      // More than asked for is never handed on: the decryptor would take the extra octets for a tampered tail.
      if (received > declared) throw new WorkerError('E_PORTAL', `GET file ${fileId}: more than the ${declared} bytes asked for`);
      yield chunk as Buffer;
    }
  } catch (error) {
    if (error instanceof WorkerError) throw error;
    throw new WorkerError('E_PORTAL', `GET file ${fileId}: ${(error as Error).message}`, { cause: error });
  } finally {
    // A consumer that stops early (a decryption failure) or an overlong body: the socket is not reused.
    if (!body.complete) body.destroy();
  }
  if (Number.isFinite(declared) && received !== declared) throw new WorkerError('E_PORTAL', `GET file ${fileId}: ${received} of ${declared} bytes arrived`);
}

/**
 * RFC 9110 §14.4 and §15.3.7: a range answer must be 206 with Content-Range `bytes first-last/complete` naming
 * exactly the octets asked for (and no more in Content-Length). A 200 carrying the whole upload, or any other
 * range, is the portal misbehaving; it is refused here (E_PORTAL, status kept so a 5xx-like outage is retried and
 * anything else is not) and its body dropped, never given to the decryptor.
 */
function checkRange(response: IncomingMessage, what: string, range: ByteRange): void {
  const last = range.offset + range.length - 1;
  const status = response.statusCode ?? 0;
  const contentRange = String(response.headers['content-range'] ?? '');
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange);
  const length = response.headers['content-length'];
  let fault: string | undefined;
  if (status !== 206) fault = `HTTP ${status} instead of 206 for bytes ${range.offset}-${last}`;
  else if (!match || Number(match[1]) !== range.offset || Number(match[2]) !== last) fault = `Content-Range "${contentRange.slice(0, 80)}" is not bytes ${range.offset}-${last}`;
  else if (length !== undefined && Number(length) !== range.length) fault = `Content-Length ${length.slice(0, 20)} for a ${range.length}-byte range`;
  if (fault === undefined) return;
  response.destroy();
  throw new WorkerError('E_PORTAL', `${what}: ${fault}`, { status });
}

export function createPortalClient(options: { portalUrl: string; credential: string }): PortalClient {
  const base = options.portalUrl.replace(/\/$/, '');
  const headers = { authorization: `Bearer ${options.credential}` };
  const agent = new (base.startsWith('https:') ? https.Agent : http.Agent)({ keepAlive: true, timeout: 4000, scheduling: 'lifo' });

  const request = async (method: string, path: string, body?: unknown, signal?: AbortSignal, extra?: Record<string, string>): Promise<IncomingMessage> => {
    let response: IncomingMessage;
    try {
      const json = body === undefined ? undefined : JSON.stringify(body);
      const sent = { ...headers, ...extra, ...(json === undefined ? {} : { 'content-type': 'application/json' }) };
      response = await send(new URL(base + path), agent, method, sent, json, signal);
    } catch (error) {
      throw new WorkerError('E_PORTAL', `${method} ${path}: ${(error as Error).message}`, { cause: error });
    }
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) {
      const text = await readText(response).catch(() => '');
      let detail = text.slice(0, 300);
      try {
        const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
        if (parsed.error) detail = `${parsed.error.code ?? ''} ${parsed.error.message ?? ''}`.trim();
      } catch {
        // not JSON: keep the text
      }
      throw new WorkerError('E_PORTAL', `${method} ${path}: HTTP ${status} ${detail}`, { status });
    }
    return response;
  };
  // A body cut off is an outage too (retried), like a refused connection.
  const text = async (method: string, path: string, response: IncomingMessage): Promise<string> => {
    try {
      return await readText(response);
    } catch (error) {
      throw new WorkerError('E_PORTAL', `${method} ${path}: ${(error as Error).message}`, { cause: error });
    }
  };
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => JSON.parse(await text(method, path, await request(method, path, body))) as T;
  const drained = async (method: string, path: string, body?: unknown): Promise<void> => void (await text(method, path, await request(method, path, body)));
  const shipment = (id: string) => `/api/worker/shipments/${encodeURIComponent(id)}`;

  return {
    async lease(workerId) {
      const response = await request('POST', '/api/worker/lease', { workerId });
      const body = await text('POST', '/api/worker/lease', response);
      if (response.statusCode === 204) return undefined;
      return JSON.parse(body) as Lease;
    },
    statements: (id, body) => json('POST', `${shipment(id)}/statements`, body),
    heartbeat: (id, leaseToken) => json('POST', `${shipment(id)}/heartbeat`, { leaseToken }),
    async download(id, uploadId, signal, range) {
      const path = `${shipment(id)}/files/${encodeURIComponent(uploadId)}`;
      if (!range) return portalStream(await request('GET', path, undefined, signal), uploadId);
      if (!Number.isSafeInteger(range.offset) || !Number.isSafeInteger(range.length) || range.offset < 0 || range.length < 1) {
        throw new RangeError(`bad range ${range.offset}+${range.length}`);
      }
      const last = range.offset + range.length - 1;
      const response = await request('GET', path, undefined, signal, { range: `bytes=${range.offset}-${last}` });
      checkRange(response, `GET ${path}`, range);
      return portalStream(response, `${uploadId} bytes ${range.offset}-${last}`, range.length);
    },
    report: (id, body) => drained('POST', `${shipment(id)}/report`, body),
    finish: (id, body) => drained('POST', `${shipment(id)}/finish`, body),
    release: (id, body) => drained('POST', `${shipment(id)}/release`, body),
  };
}
