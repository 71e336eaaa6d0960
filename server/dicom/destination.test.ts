import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { resolveDestination, tlsHint } from './destination.ts';

test('resolveDestination: the environment\'s TLS applies unless TLS flags replace it as a group', (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'beeldpoort-destination-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(tmp, 'ca.key'),
    '-out', path.join(tmp, 'ca.pem'), '-days', '1', '-subj', '/CN=ca'], { stdio: 'ignore' });
  const ca = readFileSync(path.join(tmp, 'ca.pem'), 'utf8');
  const plain = loadConfig({ BEELDPOORT_PACS: 'PACS@pacs.local:104' }, tmp);
  const withTls = loadConfig({ BEELDPOORT_PACS: 'PACS@pacs.local:2762', BEELDPOORT_PACS_TLS_CA: 'ca.pem' }, tmp);

  assert.deepEqual(resolveDestination(plain, {}, tmp), { calledAet: 'PACS', host: 'pacs.local', port: 104, callingAet: 'BEELDPOORT' });
  assert.deepEqual(resolveDestination(withTls, {}, tmp), { calledAet: 'PACS', host: 'pacs.local', port: 2762, callingAet: 'BEELDPOORT', tls: { ca } });
  assert.deepEqual(resolveDestination(withTls, { pacs: 'OTHER@other.local:11112' }, tmp), { calledAet: 'OTHER', host: 'other.local', port: 11112, callingAet: 'BEELDPOORT', tls: { ca } });
  assert.equal((resolveDestination(withTls, { noTls: true }, tmp) as { tls?: unknown }).tls, undefined);
  assert.equal((resolveDestination(withTls, { tls: true }, tmp) as { tls?: unknown }).tls, true, '--tls alone: the default trust store');
  assert.deepEqual((resolveDestination(plain, { tlsCa: 'ca.pem' }, tmp) as { tls?: unknown }).tls, { ca }, 'relative to cwd; implies TLS');
  assert.match(String(resolveDestination(plain, { tls: true, noTls: true }, tmp)), /--no-tls contradicts --tls/);
  assert.match(String(resolveDestination(plain, { tlsKey: 'ca.key' }, tmp)), /--tls-cert and --tls-key go together/);
  assert.match(String(resolveDestination(plain, { tlsCa: 'nope.pem' }, tmp)), /--tls-ca: cannot read .*nope\.pem \(ENOENT\)/);
  assert.match(String(resolveDestination(loadConfig({}, tmp), { tls: true }, tmp)), /no PACS/);
});

test('tlsHint says what to set for an untrusted PACS certificate, a wrong host name and a refused client certificate', () => {
  assert.match(tlsHint('E_TLS', 'TLS handshake with the PACS failed: h:1: self-signed certificate'), /not trusted: give --tls-ca FILE or set BEELDPOORT_PACS_TLS_CA/);
  assert.match(tlsHint('E_TLS', 'h:1: unable to get local issuer certificate'), /not trusted/);
  assert.match(tlsHint('E_TLS', "h:1: Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list"), /does not name this host/);
  assert.match(tlsHint('E_TLS', 'h:1: wrong version number'), /speaks TLS on this port/);
  assert.match(tlsHint('E_TLS', 'ssl3_read_bytes:tlsv13 alert certificate required'), /--tls-cert FILE and --tls-key FILE/);
  assert.equal(tlsHint('E_TIMEOUT', 'no answer'), '');
});
