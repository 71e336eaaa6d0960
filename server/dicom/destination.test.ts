import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { DicomError } from './dicom-error.ts';
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
  const untrusted = new DicomError('E_TLS', 'h:1: self-signed certificate', { cause: Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) });
  assert.match(tlsHint(untrusted), /not trusted: give --tls-ca FILE or set BEELDPOORT_PACS_TLS_CA/);
  const altname = new DicomError('E_TLS', 'h:1: altnames', { cause: Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }) });
  assert.match(tlsHint(altname), /does not name this host/);
  assert.match(tlsHint(new DicomError('E_ASSOCIATION_DROPPED', 'ssl3_read_bytes:tlsv13 alert certificate required')), /--tls-cert FILE and --tls-key FILE/);
  assert.equal(tlsHint(new DicomError('E_TIMEOUT')), '');
  assert.equal(tlsHint(new Error('other')), '');
});
