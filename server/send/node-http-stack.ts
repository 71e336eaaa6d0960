/**
 * tus-js-client's HTTP layer (its `httpStack` option) for the Node sender: node:http(s) with keep-alive agents, and a
 * request body that may be the encryptor's pieces (a header part, then one part per RFC 8188 record) instead of one
 * assembled buffer. tus-js-client itself still drives the protocol (tus 1.0 POST/HEAD/PATCH, offsets, retries); only
 * how the bytes reach the socket differs from its DefaultHttpStack, which cost the sender per file:
 * - DefaultHttpStack writes a body in slices of the request's high-water mark (16 KiB on Node 20), a send() each;
 * - a body has to be one buffer, so every chunk's records were first copied together (garbage the size of the CD).
 * Here a small body's parts are all queued before the socket is attached, and node:http flushes them in one corked
 * writev; a large body goes out part by part (RFC 8188 records of 64 KiB), paced by the socket.
 */
import http from 'node:http';
import https from 'node:https';
import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client';

/** A chunk as the ciphertext source hands it to tus-js-client: the parts in order; `size` is what tus counts. */
export interface PartsBody {
  readonly parts: readonly Uint8Array[];
  readonly size: number;
}

export function partsBody(parts: readonly Uint8Array[]): PartsBody {
  let size = 0;
  for (const part of parts) size += part.length;
  return { parts, size };
}

export interface NodeHttpStackOptions {
  readonly agents: { readonly http: http.Agent; readonly https: https.Agent };
}

export function createNodeHttpStack(options: NodeHttpStackOptions): HttpStack {
  return {
    createRequest: (method, url) => new NodeRequest(method, url, options.agents),
    getName: () => 'beeldpoort-node',
  };
}

class NodeRequest implements HttpRequest {
  private readonly headers: Record<string, string> = {};
  private progress: (bytesSent: number) => void = () => {};
  private request: http.ClientRequest | undefined;

  constructor(
    private readonly method: string,
    private readonly url: string,
    private readonly agents: NodeHttpStackOptions['agents'],
  ) {}

  getMethod(): string {
    return this.method;
  }

  getURL(): string {
    return this.url;
  }

  setHeader(header: string, value: string): void {
    this.headers[header] = value;
  }

  getHeader(header: string): string | undefined {
    return this.headers[header];
  }

  setProgressHandler(handler: (bytesSent: number) => void): void {
    this.progress = handler;
  }

  send(body?: PartsBody | Uint8Array | null): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const target = new URL(this.url);
      const secure = target.protocol === 'https:';
      const parts = body == null ? [] : body instanceof Uint8Array ? [body] : body.parts;
      let size = 0;
      for (const part of parts) size += part.length;
      const headers: Record<string, string | number> = { ...this.headers };
      if (body != null) headers['Content-Length'] = size;
      const request = (secure ? https : http).request(target, { method: this.method, headers, agent: secure ? this.agents.https : this.agents.http });
      this.request = request;
      let answered = false;
      request.on('error', reject);
      // Destroyed (abort()) or cut off before an answer: settle instead of leaving tus-js-client waiting.
      request.on('close', () => answered || reject(new Error('the connection closed before the portal answered')));
      request.on('response', (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('close', () => response.complete || reject(new Error('the portal\'s answer was cut off')));
        response.on('end', () => resolve(new NodeResponse(response, Buffer.concat(chunks).toString('utf8'))));
      });
      if (size <= QUEUE_WHOLE_BODY) {
        // Queued, not yet written: node:http holds them until the socket is attached, then writes them corked (one
        // writev). The parts are already in memory, so ignoring write()'s backpressure signal buffers nothing more.
        // Progress: every octet handed to the kernel (tus-js-client reports the portal's Upload-Offset after it).
        if (size > 0) request.once('finish', () => this.progress(size));
        for (const part of parts) if (part.length > 0) request.write(part);
        request.end();
      } else {
        writePaced(request, parts, this.progress);
      }
    });
  }

  abort(): Promise<void> {
    this.request?.destroy();
    return Promise.resolve();
  }

  getUnderlyingObject(): unknown {
    return this.request;
  }
}

/**
 * A body up to this size is queued whole (one writev: a CD is mostly files of a few hundred KB); a larger one, a
 * multi-frame file's chunk of megabytes, goes out part by part as the socket drains, so that progress moves on a
 * slow line instead of jumping a whole chunk at a time.
 */
const QUEUE_WHOLE_BODY = 1024 * 1024;

function writePaced(request: http.ClientRequest, parts: readonly Uint8Array[], progress: (bytesSent: number) => void): void {
  let next = 0;
  let sent = 0;
  const writeMore = (): void => {
    while (next < parts.length) {
      const part = parts[next++]!;
      sent += part.length;
      if (!request.write(part)) {
        progress(sent);
        request.once('drain', writeMore);
        return;
      }
    }
    request.once('finish', () => progress(sent));
    request.end();
  };
  writeMore();
}

class NodeResponse implements HttpResponse {
  constructor(
    private readonly response: http.IncomingMessage,
    private readonly body: string,
  ) {}

  getStatus(): number {
    return this.response.statusCode ?? 0;
  }

  getHeader(header: string): string | undefined {
    const value = this.response.headers[header.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  getBody(): string {
    return this.body;
  }

  getUnderlyingObject(): unknown {
    return this.response;
  }
}
