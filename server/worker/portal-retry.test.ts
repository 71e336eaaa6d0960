// retryPortal against a real HTTP server: a portal that is down and then comes up on the same port is waited for;
// a refusal (409, lease lost) is final at once; a stop request ends the waiting; which causes count toward giving up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isNeutral, retryAfterFor, DEFAULT_RETRY_AFTER } from './import-shipment.ts';
import { createPortalClient } from './portal-client.ts';
import { isPortalOutage, retryPortal } from './portal-retry.ts';
import { WorkerError } from './worker-error.ts';

const policy = { initialMs: 50, maxMs: 200, windowMs: 30_000 };

async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

test('a portal that is down and then comes up is waited for; a refusal is final at once', async (t) => {
  const port = await freePort();
  const client = createPortalClient({ portalUrl: `http://127.0.0.1:${port}`, credential: 'c' });
  let server: http.Server | undefined;
  t.after(() => server?.close());
  let status = 200;
  const retries: number[] = [];
  const finished = retryPortal(() => client.finish('s1', { leaseToken: 't', state: 'imported' }), {
    policy,
    onRetry: (error, attempt) => {
      assert.ok(isPortalOutage(error), 'connection refused is an outage');
      retries.push(attempt);
      // The portal comes back on the same port after the second refused attempt.
      if (attempt === 2) {
        server = http.createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end('{}'));
        server.listen(port, '127.0.0.1');
      }
    },
  });
  await finished;
  assert.ok(retries.length >= 2, `retried ${retries.length} time(s) before the portal came back`);

  status = 409;
  let calls = 0;
  await assert.rejects(retryPortal(() => (calls++, client.release('s1', { leaseToken: 't', reason: 'x' })), { policy }), (error: unknown) => {
    assert.ok(error instanceof WorkerError && error.status === 409 && !isPortalOutage(error));
    return true;
  });
  assert.equal(calls, 1, 'a refusal is not retried');
});

test('a stop request ends the waiting with the last error', async () => {
  const port = await freePort();
  const client = createPortalClient({ portalUrl: `http://127.0.0.1:${port}`, credential: 'c' });
  const stop = new AbortController();
  await assert.rejects(retryPortal(() => client.report('s1', { leaseToken: 't', files: [] }), { policy, signal: stop.signal, onRetry: () => stop.abort() }),
    (error: unknown) => error instanceof WorkerError && error.code === 'E_PORTAL');
});

test('outages, uploads still running, stops and lost leases are neutral; anything else counts, with a growing retry-after', () => {
  const outage = new WorkerError('E_PORTAL', 'down');
  assert.ok(isNeutral(outage) && isNeutral(new WorkerError('E_PORTAL', '503', { status: 503 })));
  assert.ok(isNeutral(new WorkerError('E_PORTAL', 'lease lost', { status: 409 })));
  assert.ok(isNeutral(new WorkerError('E_PACS_UNAVAILABLE')) && isNeutral(new WorkerError('E_UPLOAD_INCOMPLETE')) && isNeutral(new WorkerError('E_STOPPING')));
  assert.ok(!isNeutral(new WorkerError('E_PORTAL', 'bad request', { status: 400 })));
  assert.ok(!isNeutral(new Error('ENOTDIR')));
  assert.equal(retryAfterFor(new WorkerError('E_PACS_UNAVAILABLE'), 1, DEFAULT_RETRY_AFTER), DEFAULT_RETRY_AFTER.pacs);
  assert.equal(retryAfterFor(new WorkerError('E_UPLOAD_INCOMPLETE'), 1, DEFAULT_RETRY_AFTER), DEFAULT_RETRY_AFTER.upload);
  assert.equal(retryAfterFor(outage, 1, DEFAULT_RETRY_AFTER), DEFAULT_RETRY_AFTER.portal);
  assert.equal(retryAfterFor(new WorkerError('E_STOPPING'), 1, DEFAULT_RETRY_AFTER), undefined);
  assert.deepEqual([1, 2, 3].map((n) => retryAfterFor(new Error('bug'), n, DEFAULT_RETRY_AFTER)), [60, 120, 240]);
  assert.equal(retryAfterFor(new Error('bug'), 40, DEFAULT_RETRY_AFTER), 86_400, 'at most a day (the portal refuses more)');
});
