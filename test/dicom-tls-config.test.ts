/**
 * DICOM over TLS (PS3.15 B.1) as an operator turns it on: `beeldpoort echo` and `store` with --tls, --tls-ca,
 * --tls-cert/--tls-key, and the import worker with BEELDPOORT_PACS_TLS_CA, all against storescp +tls with
 * throw-away openssl certificates (as test/dicom-tls.test.ts). Mutual TLS: storescp requiring our certificate, also
 * with an encrypted key and its passphrase file; a PACS certificate issued for a DNS name, reached by address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../server/cli/main.ts';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { startWorker } from '../server/worker/start-worker.ts';
import { startStorescp } from './helpers/storescp.ts';
import { startTestPortal } from './helpers/portal.ts';
import { certificate } from './helpers/certificate.ts';
import { captureIo } from './helpers/command-io.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { createTestShipment, specsOf } from './helpers/upload-shipment.ts';
import { assertByteIdentical, waitForShipment, workerConfig } from './helpers/import-worker.ts';
import { cdDatasetHashes, receivedDatasetHashes } from './send-support.ts';

function setUp(t: { after(fn: () => unknown): void }) {
  const tmp = makeTempDir('beeldpoort-tls-config-');
  t.after(() => tmp.remove());
  return { tmp, pacs: certificate(tmp.dir, 'pacs'), client: certificate(tmp.dir, 'client') };
}

test('beeldpoort echo: --tls-ca trusts the PACS; the default trust store refuses it with E_TLS and says what to do', async (t) => {
  const { tmp, pacs } = setUp(t);
  // -ic: storescp does not ask for a client certificate.
  const scp = await startStorescp({ extraArgs: ['+tls', pacs.key, pacs.cert, '-ic'] });
  t.after(() => scp.stop());
  const address = `${scp.aet}@127.0.0.1:${scp.port}`;

  const ok = captureIo();
  assert.equal(await main(['echo', '--pacs', address, '--tls-ca', pacs.cert, '--json'], ok), 0, ok.err());
  assert.equal(ok.json().ok, true);
  assert.equal(ok.json().tls, true);
  assert.match(ok.out(), /over TLS/);

  const untrusted = captureIo();
  assert.equal(await main(['echo', '--pacs', address, '--tls', '--json'], untrusted), 1);
  assert.equal(untrusted.json().code, 'E_TLS');
  assert.match(untrusted.json().reason, /self-signed certificate.*not trusted: give --tls-ca FILE or set BEELDPOORT_PACS_TLS_CA/);
  assert.match(untrusted.err(), /\[E_TLS\]/);

  // The environment alone, and flags replacing it as a group.
  const env = { BEELDPOORT_PACS: address, BEELDPOORT_PACS_TLS_CA: pacs.cert };
  const fromEnv = captureIo(env);
  assert.equal(await main(['echo', '--json'], fromEnv), 0, fromEnv.err());
  assert.equal(fromEnv.json().tls, true);
  const replaced = captureIo(env);
  assert.equal(await main(['echo', '--tls', '--json'], replaced), 1, '--tls alone: the default store, not the environment\'s CA');
  assert.equal(replaced.json().code, 'E_TLS');

  // Wrong flags are usage errors (exit 2) naming the flag, before any connection.
  for (const [args, message] of [
    [['--tls-ca', path.join(tmp.dir, 'missing.pem')], /--tls-ca: cannot read .*missing\.pem \(ENOENT\)/],
    [['--tls-ca', pacs.key], /--tls-ca: .*pacs\.key holds no PEM certificate/],
    [['--tls-cert', pacs.cert], /--tls-cert and --tls-key go together/],
    [['--no-tls', '--tls-ca', pacs.cert], /--no-tls contradicts --tls-ca/],
  ] as const) {
    const io = captureIo();
    assert.equal(await main(['echo', '--pacs', address, ...args], io), 2, args.join(' '));
    assert.match(io.err(), message);
  }
});

test('beeldpoort store with a client certificate stores byte-identical into a PACS that requires mutual TLS', async (t) => {
  const { tmp, pacs, client } = setUp(t);
  // -rc: storescp requires a client certificate, +cf: the one it trusts.
  const scp = await startStorescp({ extraArgs: ['+tls', pacs.key, pacs.cert, '-rc', '+cf', client.cert] });
  t.after(() => scp.stop());
  const address = `${scp.aet}@127.0.0.1:${scp.port}`;
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 3, rows: 16 });

  const io = captureIo();
  const args = ['store', '--pacs', address, '--tls-ca', pacs.cert, '--tls-cert', client.cert, '--tls-key', client.key, '--associations', '2', '--json', cd.root];
  assert.equal(await main(args, io), 0, io.out() + io.err());
  assert.equal(io.json().stored, cd.instances.length);
  assert.match(io.out(), /\(TLS\): stored/);
  assert.deepEqual(await receivedDatasetHashes(scp), cdDatasetHashes(cd), 'every instance arrived byte for byte');

  // Without our certificate the PACS ends the handshake: no instance is stored.
  const before = (await scp.files()).length;
  const refused = captureIo();
  assert.equal(await main(['echo', '--pacs', address, '--tls-ca', pacs.cert, '--json'], refused), 1);
  assert.equal(refused.json().ok, false);
  assert.equal(refused.json().code, 'E_TLS');
  assert.match(refused.json().reason, /refused our client certificate, or wanted one: give --tls-cert/);
  const storeRefused = captureIo();
  const withoutCert = ['store', '--pacs', address, '--tls-ca', pacs.cert, '--associations', '1', '--json', cd.instances[0]!.path];
  assert.equal(await main(withoutCert, storeRefused), 1);
  assert.equal(storeRefused.json().failed, 1);
  assert.match(storeRefused.err(), /TLS handshake with the PACS failed: .*alert certificate required.*refused our client certificate, or wanted one/s);
  assert.equal((await scp.files()).length, before);
});

test('the import worker stores a shipment over TLS with BEELDPOORT_PACS_TLS_CA', async (t) => {
  const { tmp, pacs } = setUp(t);
  const scp = await startStorescp({ extraArgs: ['+tls', pacs.key, pacs.cert, '-ic'] });
  t.after(() => scp.stop());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 3, rows: 16 });
  const specs = specsOf(cd);
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const link = await portal.createLink({ purpose: 'internal' });
  const shipment = await createTestShipment(portal.url, link.token, specs);
  await shipment.uploadAll();

  const worker = await startWorker(workerConfig(portal, scp, { BEELDPOORT_PACS_TLS_CA: pacs.cert }), { idlePollMs: 100 });
  t.after(() => worker.stop());
  assert.match(worker.destination, /over TLS \(CA .*pacs\.pem\)/);
  const { shipment: row, files } = await waitForShipment(portal, shipment.shipmentId);
  await worker.stop();
  assert.equal(row.state, 'imported');
  assert.deepEqual(files.map((f) => f.outcome), specs.map(() => 'stored'));
  assertByteIdentical(await scp.files(), specs);
});

test('a PACS certificate issued for a DNS name, the PACS reached by address: E_TLS says to give the name; --tls-servername (or BEELDPOORT_PACS_TLS_SERVERNAME) verifies it', async (t) => {
  const { tmp } = setUp(t);
  const named = certificate(tmp.dir, 'named-pacs', { san: 'DNS:pacs.ziekenhuis.test' });
  const scp = await startStorescp({ extraArgs: ['+tls', named.key, named.cert, '-ic'] });
  t.after(() => scp.stop());
  const address = `${scp.aet}@127.0.0.1:${scp.port}`;

  const byAddress = captureIo();
  assert.equal(await main(['echo', '--pacs', address, '--tls-ca', named.cert, '--json'], byAddress), 1);
  assert.equal(byAddress.json().code, 'E_TLS');
  assert.match(byAddress.json().reason, /altnames.*--tls-servername NAME or BEELDPOORT_PACS_TLS_SERVERNAME/);

  const byName = captureIo();
  assert.equal(await main(['echo', '--pacs', address, '--tls-ca', named.cert, '--tls-servername', 'pacs.ziekenhuis.test', '--json'], byName), 0, byName.err());
  assert.equal(byName.json().ok, true);
  const fromEnv = captureIo({ BEELDPOORT_PACS: address, BEELDPOORT_PACS_TLS_CA: named.cert, BEELDPOORT_PACS_TLS_SERVERNAME: 'pacs.ziekenhuis.test' });
  assert.equal(await main(['echo', '--json'], fromEnv), 0, fromEnv.err());
  const wrongName = captureIo();
  assert.equal(await main(['echo', '--pacs', address, '--tls-ca', named.cert, '--tls-servername', 'other.ziekenhuis.test', '--json'], wrongName), 1);
  assert.equal(wrongName.json().code, 'E_TLS');
  const notAName = captureIo();
  assert.equal(await main(['echo', '--pacs', address, '--tls-servername', '10.0.0.1'], notAName), 2);
  assert.match(notAName.err(), /--tls-servername: "10\.0\.0\.1" is not a host name/);
});

test('an encrypted client key opened with its passphrase file stores byte-identical into a mutual-TLS PACS; no or a wrong passphrase is a usage error naming the flag', async (t) => {
  const { tmp, pacs } = setUp(t);
  const client = certificate(tmp.dir, 'locked-client', { passphrase: 'geheim wachtwoord' });
  assert.match(readFileSync(client.key, 'utf8'), /ENCRYPTED PRIVATE KEY/);
  const passphraseFile = path.join(tmp.dir, 'passphrase');
  writeFileSync(passphraseFile, 'geheim wachtwoord\n', { mode: 0o600 });
  const wrongFile = path.join(tmp.dir, 'wrong');
  writeFileSync(wrongFile, 'fout\n', { mode: 0o600 });
  const scp = await startStorescp({ extraArgs: ['+tls', pacs.key, pacs.cert, '-rc', '+cf', client.cert] });
  t.after(() => scp.stop());
  const address = `${scp.aet}@127.0.0.1:${scp.port}`;
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 2, rows: 16 });
  const base = ['store', '--pacs', address, '--tls-ca', pacs.cert, '--tls-cert', client.cert, '--tls-key', client.key];

  const locked = captureIo();
  assert.equal(await main([...base, cd.root], locked), 2);
  assert.match(locked.err(), /--tls-key: .*locked-client\.key is an encrypted private key: give its passphrase in a file \(--tls-key-passphrase-file\)/);
  const wrong = captureIo();
  assert.equal(await main([...base, '--tls-key-passphrase-file', wrongFile, cd.root], wrong), 2);
  assert.match(wrong.err(), /--tls-key-passphrase-file: the passphrase in .*wrong does not open/);
  assert.equal((await scp.files()).length, 0);

  const io = captureIo();
  assert.equal(await main([...base, '--tls-key-passphrase-file', passphraseFile, '--json', cd.root], io), 0, io.out() + io.err());
  assert.equal(io.json().stored, cd.instances.length);
  assert.deepEqual(await receivedDatasetHashes(scp), cdDatasetHashes(cd), 'every instance arrived byte for byte');
});
