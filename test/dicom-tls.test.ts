/**
 * DICOM over TLS (PS3.15 B.1) against storescp +tls with a throw-away certificate: echo and a byte-identical store,
 * and a PACS certificate we do not trust ends in E_TLS before any association.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startStorescp } from './helpers/storescp.ts';
import { certificate } from './helpers/certificate.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { createStoreSession, echo, readPart10 } from '../server/dicom/index.ts';

test('C-ECHO and C-STORE over TLS; an untrusted PACS certificate is refused with E_TLS', async (t) => {
  const tmp = makeTempDir('beeldpoort-tls-');
  t.after(() => tmp.remove());
  const pacs = certificate(tmp.dir, 'pacs');
  const stranger = certificate(tmp.dir, 'stranger');
  // -ic: storescp does not ask for our certificate (we present none).
  const scp = await startStorescp({ extraArgs: ['+tls', pacs.key, pacs.cert, '-ic'] });
  t.after(() => scp.stop());
  const destination = { calledAet: scp.aet, host: '127.0.0.1', port: scp.port, callingAet: 'BEELDPOORT', tls: { ca: readFileSync(pacs.cert) } };

  await echo(destination);

  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 1, rows: 16 });
  const bytes = new Uint8Array(readFileSync(cd.instances[0]!.path));
  const info = readPart10(bytes);
  const instance = { ...info, dataset: bytes.subarray(info.datasetOffset) };
  const session = createStoreSession(destination, { contexts: [instance] });
  const result = await session.store(instance);
  await session.close();
  assert.equal(result.outcome, 'stored', result.reason);
  const [file] = await scp.files();
  const received = new Uint8Array(readFileSync(file!));
  assert.ok(Buffer.compare(received.subarray(readPart10(received).datasetOffset), instance.dataset) === 0);

  await assert.rejects(echo({ ...destination, tls: { ca: readFileSync(stranger.cert) } }), { code: 'E_TLS' });
});
