/**
 * The worker's side of the portal's pull API (docs/architecture.md, "Worker"): plain HTTP(S) with the worker
 * credential as bearer. The worker never listens; this module is its only door to the portal. It imports nothing
 * from server/portal/: the contract is the HTTP API, so portal and worker can live on different machines.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { WorkerError } from './worker-error.ts';

export interface PortalFile {
  readonly fileId: string;
  readonly size: number;
  readonly complete: boolean;
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
  /** The ciphertext of one file, streamed. */
  download(shipmentId: string, fileId: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
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
async function* portalStream(body: IncomingMessage, fileId: string): AsyncIterable<Uint8Array> {
  const declared = Number(body.headers['content-length'] ?? NaN);
  let received = 0;
  try {
    for await (const chunk of body) {
      received += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  } catch (error) {
    throw new WorkerError('E_PORTAL', `GET file ${fileId}: ${(error as Error).message}`, { cause: error });
  }
  if (Number.isFinite(declared) && received !== declared) throw new WorkerError('E_PORTAL', `GET file ${fileId}: ${received} of ${declared} bytes arrived`);
}

export function createPortalClient(options: { portalUrl: string; credential: string }): PortalClient {
  const base = options.portalUrl.replace(/\/$/, '');
  const headers = { authorization: `Bearer ${options.credential}` };
  const agent = new (base.startsWith('https:') ? https.Agent : http.Agent)({ keepAlive: true, timeout: 4000, scheduling: 'lifo' });

  const request = async (method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<IncomingMessage> => {
    let response: IncomingMessage;
    try {
      const json = body === undefined ? undefined : JSON.stringify(body);
      response = await send(new URL(base + path), agent, method, json === undefined ? headers : { ...headers, 'content-type': 'application/json' }, json, signal);
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
    async download(id, fileId, signal) {
      return portalStream(await request('GET', `${shipment(id)}/files/${encodeURIComponent(fileId)}`, undefined, signal), fileId);
    },
    report: (id, body) => drained('POST', `${shipment(id)}/report`, body),
    finish: (id, body) => drained('POST', `${shipment(id)}/finish`, body),
    release: (id, body) => drained('POST', `${shipment(id)}/release`, body),
  };
}
