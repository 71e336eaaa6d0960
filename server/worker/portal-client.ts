/**
 * The worker's side of the portal's pull API (docs/architecture.md, "Worker"): plain HTTP(S) with the worker
 * credential as bearer. The worker never listens; this module is its only door to the portal. It imports nothing
 * from server/portal/: the contract is the HTTP API, so portal and worker can live on different machines.
 */
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

/** A connection cut mid-body (the portal restarted) is an outage like a refused connection: E_PORTAL, retried. */
async function* portalStream(body: AsyncIterable<Uint8Array>, fileId: string): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw new WorkerError('E_PORTAL', `GET file ${fileId}: ${(error as Error).cause ?? (error as Error).message}`, { cause: error });
  }
}

export function createPortalClient(options: { portalUrl: string; credential: string }): PortalClient {
  const base = options.portalUrl.replace(/\/$/, '');
  const headers = { authorization: `Bearer ${options.credential}` };

  const request = async (method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(base + path, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw new WorkerError('E_PORTAL', `${method} ${path}: ${(error as Error).cause ?? (error as Error).message}`, { cause: error });
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      let detail = text.slice(0, 300);
      try {
        const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
        if (parsed.error) detail = `${parsed.error.code ?? ''} ${parsed.error.message ?? ''}`.trim();
      } catch {
        // not JSON: keep the text
      }
      throw new WorkerError('E_PORTAL', `${method} ${path}: HTTP ${response.status} ${detail}`, { status: response.status });
    }
    return response;
  };
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => (await request(method, path, body)).json() as Promise<T>;
  const shipment = (id: string) => `/api/worker/shipments/${encodeURIComponent(id)}`;

  return {
    async lease(workerId) {
      const response = await request('POST', '/api/worker/lease', { workerId });
      if (response.status === 204) return undefined;
      return (await response.json()) as Lease;
    },
    statements: (id, body) => json('POST', `${shipment(id)}/statements`, body),
    heartbeat: (id, leaseToken) => json('POST', `${shipment(id)}/heartbeat`, { leaseToken }),
    async download(id, fileId, signal) {
      const response = await request('GET', `${shipment(id)}/files/${encodeURIComponent(fileId)}`, undefined, signal);
      if (!response.body) throw new WorkerError('E_PORTAL', `GET file ${fileId}: empty body`);
      return portalStream(response.body as unknown as AsyncIterable<Uint8Array>, fileId);
    },
    async report(id, body) {
      await request('POST', `${shipment(id)}/report`, body).then((r) => r.arrayBuffer());
    },
    async finish(id, body) {
      await request('POST', `${shipment(id)}/finish`, body).then((r) => r.arrayBuffer());
    },
    async release(id, body) {
      await request('POST', `${shipment(id)}/release`, body).then((r) => r.arrayBuffer());
    },
  };
}
