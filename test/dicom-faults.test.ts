/**
 * Our sender when the PACS misbehaves, with storescp's own fault options and real sockets: rejection, aborts,
 * silence, out of resources, an unacceptable transfer syntax, and a PACS that is down and then comes up. Nothing
 * is ever reported stored without a success response.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { startStorescp, type Storescp } from './helpers/storescp.ts';
import { freePort } from './helpers/ports.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { makeTestCd, type TestCd } from '../server/test-cd/make-test-cd.ts';
import { createStoreSession, echo, readPart10, type StoreInstance, type StoreSessionOptions } from '../server/dicom/index.ts';
import { main } from '../server/cli/main.ts';

const FAST_RETRY = { attempts: 2, initialDelayMs: 50, maxDelayMs: 200 };

function instanceOf(path: string): StoreInstance {
  const bytes = new Uint8Array(readFileSync(path));
  const info = readPart10(bytes);
  return { ...info, dataset: bytes.subarray(info.datasetOffset) };
}

const cdDir = makeTempDir('beeldpoort-cd-');
after(() => cdDir.remove());
let cd: TestCd | undefined;
async function instances(): Promise<StoreInstance[]> {
  cd ??= await makeTestCd(cdDir.dir, { studies: 1, series: 2, images: 1, rows: 16 });
  return cd.instances.map((i) => instanceOf(i.path));
}

const destinationOf = (scp: Storescp, port = scp.port) => ({ calledAet: scp.aet, host: scp.host, port, callingAet: 'BEELDPOORT' });

async function storeAll(scp: Storescp, list: StoreInstance[], options: Partial<StoreSessionOptions> = {}, port?: number) {
  const session = createStoreSession(destinationOf(scp, port), { contexts: list, retry: FAST_RETRY, ...options });
  const results = await Promise.all(list.map((i) => session.store(i)));
  await session.close();
  return results;
}

test('a refused association fails retriably after the configured attempts; nothing stored', async (t) => {
  const list = await instances();
  const scp = await startStorescp({ extraArgs: ['--refuse'] });
  t.after(() => scp.stop());
  const retries: string[] = [];
  const results = await storeAll(scp, list.slice(0, 2), { onRetry: (e) => retries.push(e.code!) });
  for (const r of results) {
    assert.deepEqual([r.outcome, r.code, r.retriable, r.attempts], ['failed', 'E_ASSOCIATION_REJECTED', true, 2]);
    assert.match(r.reason!, /rejection/);
  }
  assert.ok(retries.length >= 2 && retries.every((c) => c === 'E_ASSOCIATION_REJECTED'));
  assert.equal((await scp.files()).length, 0);
  await assert.rejects(echo(destinationOf(scp)), { code: 'E_ASSOCIATION_REJECTED' });
});

for (const fault of ['--abort-after', '--abort-during']) {
  test(`an abort mid C-STORE (${fault}) leaves the outcome unknown: failed and retriable, never stored`, async (t) => {
    const list = await instances();
    const scp = await startStorescp({ extraArgs: [fault] });
    t.after(() => scp.stop());
    const [result] = await storeAll(scp, list.slice(0, 1));
    assert.equal(result!.outcome, 'failed');
    assert.equal(result!.retriable, true);
    assert.ok(['E_ASSOCIATION_ABORTED', 'E_ASSOCIATION_DROPPED'].includes(result!.code!), result!.code);
    assert.equal(result!.status, undefined);
  });
}

test('a PACS silent beyond the DIMSE timeout is aborted and the instance reported retriable', async (t) => {
  const list = await instances();
  const scp = await startStorescp({ extraArgs: ['--sleep-during', '3'] });
  t.after(() => scp.stop());
  const [result] = await storeAll(scp, list.slice(0, 1), { retry: { attempts: 1 }, timeouts: { dimseMs: 500 } });
  assert.deepEqual([result!.outcome, result!.code, result!.retriable], ['failed', 'E_TIMEOUT', true]);
});

test('out of resources (A700, storescp cannot write) is a retriable failure with its status', async (t) => {
  const list = await instances();
  const scp = await startStorescp();
  t.after(() => scp.stop());
  rmSync(scp.dir, { recursive: true, force: true });
  const results = await storeAll(scp, list.slice(0, 2));
  for (const r of results) {
    assert.deepEqual([r.outcome, r.code, r.status, r.retriable, r.attempts], ['failed', 'E_OUT_OF_RESOURCES', 0xa700, true, 2]);
  }
});

test('an instance whose transfer syntax the PACS refuses fails for good, no transcoding; the others are stored', async (t) => {
  const list = await instances();
  const scp = await startStorescp({ extraArgs: ['+xi'] }); // accepts Implicit VR Little Endian only
  t.after(() => scp.stop());
  const results = await storeAll(scp, list);
  for (const [i, r] of results.entries()) {
    if (list[i]!.transferSyntaxUid === '1.2.840.10008.1.2') assert.equal(r.outcome, 'stored', r.reason);
    else {
      assert.deepEqual([r.outcome, r.code, r.retriable], ['failed', 'E_NO_CONTEXT', false]);
      assert.match(r.reason!, new RegExp(`transfer syntax ${list[i]!.transferSyntaxUid.replaceAll('.', '\\.')}`));
    }
  }
  assert.ok(results.some((r) => r.outcome === 'stored') && results.some((r) => r.outcome === 'failed'));
  assert.equal((await scp.files()).length, results.filter((r) => r.outcome === 'stored').length);
});

test('a PACS that is down (connection refused) and then comes up: the retry stores the instance', async (t) => {
  const list = await instances();
  const scp = await startStorescp();
  t.after(() => scp.stop());
  const port = await freePort(); // nothing listens here yet
  const forwarder = net.createServer((client) => {
    const upstream = net.connect(scp.port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  t.after(() => new Promise((resolve) => forwarder.close(resolve)));
  const codes: string[] = [];
  const results = await storeAll(scp, list.slice(0, 1), {
    retry: { attempts: 5, initialDelayMs: 100, maxDelayMs: 400 },
    onRetry: (event) => {
      codes.push(event.code!);
      if (!forwarder.listening) forwarder.listen(port, '127.0.0.1'); // the PACS comes up after the first refusal
    },
  }, port);
  assert.equal(codes[0], 'E_CONNECT');
  assert.equal(results[0]!.outcome, 'stored');
  assert.ok(results[0]!.attempts! >= 2);
  assert.equal((await scp.files()).length, 1);
});

test('beeldpoort store exits 1 and lists each failure with its code when the PACS refuses', async (t) => {
  await instances();
  const scp = await startStorescp({ extraArgs: ['+xi'] });
  t.after(() => scp.stop());
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk) => (out += chunk));
  const io = { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {} };
  assert.equal(await main(['store', '--pacs', `${scp.aet}@127.0.0.1:${scp.port}`, '--json', cd!.root], io), 1);
  const summary = JSON.parse(out.trim().split('\n').at(-1)!);
  assert.ok(summary.failed > 0 && summary.stored > 0);
  assert.ok(summary.failures.every((f: { code: string }) => f.code === 'E_NO_CONTEXT'));
  assert.match(out, /FAILED .*\[E_NO_CONTEXT\]/);
});

test('a connection cut in the middle of a dataset is retried on a new association and stored once', async (t) => {
  const [base] = await instances();
  const scp = await startStorescp();
  t.after(() => scp.stop());
  // A big dataset (the image repeated) so the cut lands mid-transfer; the first connection dies after 200 kB.
  const dataset = new Uint8Array(4 * 1024 * 1024);
  dataset.set(base!.dataset);
  const instance = { ...base!, sopInstanceUid: `${base!.sopInstanceUid}.77`, dataset };
  let connections = 0;
  const forwarder = net.createServer((client) => {
    const upstream = net.connect(scp.port, '127.0.0.1');
    const cutAfter = ++connections === 1 ? 200_000 : Infinity;
    let forwarded = 0;
    client.on('data', (chunk) => {
      forwarded += chunk.length;
      if (forwarded > cutAfter) {
        client.destroy();
        upstream.destroy();
      } else upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => forwarder.close(resolve)));
  const codes: string[] = [];
  const [result] = await storeAll(scp, [instance], { onRetry: (e) => codes.push(e.code!) }, (forwarder.address() as net.AddressInfo).port);
  assert.deepEqual(codes, ['E_ASSOCIATION_DROPPED']);
  assert.deepEqual([result!.outcome, result!.attempts], ['stored', 2]);
  assert.equal((await scp.files()).length, 1);
});

test('a PACS that stops reading mid-dataset does not hang us: the inactivity (DIMSE) timeout ends the stalled write', async (t) => {
  const [base] = await instances();
  const scp = await startStorescp({ extraArgs: ['--sleep-during', '5'] });
  t.after(() => scp.stop());
  const dataset = new Uint8Array(32 * 1024 * 1024); // far more than the socket buffers hold
  dataset.set(base!.dataset);
  const [result] = await storeAll(scp, [{ ...base!, dataset }], { retry: { attempts: 1 }, timeouts: { dimseMs: 700 } });
  assert.deepEqual([result!.outcome, result!.code, result!.retriable], ['failed', 'E_TIMEOUT', true]);
});

test('a PACS that serves one association at a time: the extra associations give up, no instance is charged', async (t) => {
  const list = await instances();
  const scp = await startStorescp(); // single process: further associations wait unanswered
  t.after(() => scp.stop());
  const results = await storeAll(scp, list, { associations: 4, timeouts: { associateMs: 300 }, retry: { attempts: 1 } });
  assert.deepEqual(results.map((r) => [r.outcome, r.attempts]), list.map(() => ['stored', 1]));
});
