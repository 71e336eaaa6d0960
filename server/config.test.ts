import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, parsePacsAddress, ConfigError } from './config.ts';
import { describeTls, tlsOptions } from './pacs-tls.ts';

test('defaults give the embedded set-up under ./data on port 8080', () => {
  const config = loadConfig({}, '/srv/bp');
  assert.equal(config.dataDir, '/srv/bp/data');
  assert.equal(config.port, 8080);
  assert.equal(config.publicUrl, 'http://localhost:8080');
  assert.equal(config.portalUrl, 'http://localhost:8080');
  assert.equal(config.pacs, undefined);
  assert.ok(Object.isFrozen(config));
});

test('BEELDPOORT_PACS is parsed as AET@host:port', () => {
  const config = loadConfig({ BEELDPOORT_PACS: 'ORTHANC@pacs.local:4242' }, '/');
  assert.deepEqual(config.pacs, { calledAet: 'ORTHANC', host: 'pacs.local', port: 4242 });
  assert.deepEqual(parsePacsAddress('A@[::1]:104'), { calledAet: 'A', host: '::1', port: 104 });
});

test('every problem is reported at once', () => {
  assert.throws(
    () => loadConfig({ BEELDPOORT_PORT: 'eighty', BEELDPOORT_PACS: 'nonsense', BEELDPOORT_PUBLIC_URL: 'ftp://x' }, '/'),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'E_CONFIG');
      assert.equal(error.problems.length, 3);
      return true;
    },
  );
  assert.match(String(parsePacsAddress('A\\B@h:1')), /backslash/);
  assert.match(String(parsePacsAddress('A@h:70000')), /out of range/);
});

test('BEELDPOORT_PACS_VERIFY: off by default, cfind only with a PACS, anything else refused', () => {
  assert.equal(loadConfig({ BEELDPOORT_PACS: 'ORTHANC@pacs.local:4242' }, '/').pacsVerify, undefined);
  assert.equal(loadConfig({ BEELDPOORT_PACS: 'ORTHANC@pacs.local:4242', BEELDPOORT_PACS_VERIFY: 'off' }, '/').pacsVerify, undefined);
  assert.equal(loadConfig({ BEELDPOORT_PACS: 'ORTHANC@pacs.local:4242', BEELDPOORT_PACS_VERIFY: 'cfind' }, '/').pacsVerify, 'cfind');
  assert.throws(() => loadConfig({ BEELDPOORT_PACS_VERIFY: 'cfind' }, '/'), /BEELDPOORT_PACS_VERIFY=cfind needs BEELDPOORT_PACS/);
  assert.throws(() => loadConfig({ BEELDPOORT_PACS: 'ORTHANC@pacs.local:4242', BEELDPOORT_PACS_VERIFY: 'rest' }, '/'), /must be cfind or off/);
});

describe('DICOM over TLS to the PACS (BEELDPOORT_PACS_TLS*)', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'beeldpoort-config-tls-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const pem = (name: string) => {
    const key = path.join(tmp, `${name}.key`);
    const cert = path.join(tmp, `${name}.pem`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', `/CN=${name}`], { stdio: 'ignore' });
    return { key, cert };
  };
  const ca = pem('ca');
  const client = pem('client');
  const other = pem('other');
  const notPem = path.join(tmp, 'not.pem');
  writeFileSync(notPem, 'hello\n');
  const PACS = { BEELDPOORT_PACS: 'PACS@pacs.local:2762' };
  const problemsOf = (env: Record<string, string>): readonly string[] => {
    try {
      loadConfig(env, tmp);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems;
    }
    assert.fail('expected a ConfigError');
  };

  test('off unless asked; on verifies against the default trust store; a CA file implies on', () => {
    assert.equal(loadConfig(PACS, tmp).pacsTls, undefined);
    assert.equal(loadConfig({ ...PACS, BEELDPOORT_PACS_TLS: 'off' }, tmp).pacsTls, undefined);
    const on = loadConfig({ ...PACS, BEELDPOORT_PACS_TLS: 'on' }, tmp).pacsTls;
    assert.ok(on);
    assert.equal(tlsOptions(on), true);
    const withCa = loadConfig({ ...PACS, BEELDPOORT_PACS_TLS_CA: 'ca.pem' }, tmp).pacsTls;
    assert.ok(withCa, 'relative to the working directory');
    assert.deepEqual(tlsOptions(withCa), { ca: readFileSync(ca.cert, 'utf8') });
    assert.match(describeTls(withCa), /CA ca\.pem/);
  });

  test('a client certificate and its key give mutual TLS; the key never shows in JSON', () => {
    const settings = loadConfig({ ...PACS, BEELDPOORT_PACS_TLS: 'on', BEELDPOORT_PACS_TLS_CA: ca.cert, BEELDPOORT_PACS_TLS_CERT: client.cert, BEELDPOORT_PACS_TLS_KEY: client.key }, tmp).pacsTls;
    assert.ok(settings);
    assert.deepEqual(tlsOptions(settings), { ca: readFileSync(ca.cert, 'utf8'), cert: readFileSync(client.cert, 'utf8'), key: readFileSync(client.key, 'utf8') });
    assert.doesNotMatch(JSON.stringify(loadConfig({ ...PACS, BEELDPOORT_PACS_TLS_CERT: client.cert, BEELDPOORT_PACS_TLS_KEY: client.key }, tmp)), /PRIVATE KEY/);
    assert.match(describeTls(settings), /client certificate/);
  });

  test('every inconsistent combination is an error naming the variables', () => {
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS: 'yes' }).join(), /BEELDPOORT_PACS_TLS must be on or off, got "yes"/);
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS: 'off', BEELDPOORT_PACS_TLS_CA: ca.cert }).join(), /BEELDPOORT_PACS_TLS=off contradicts BEELDPOORT_PACS_TLS_CA/);
    assert.match(problemsOf({ BEELDPOORT_PACS_TLS: 'on' }).join(), /BEELDPOORT_PACS_TLS needs BEELDPOORT_PACS/);
    assert.match(problemsOf({ BEELDPOORT_PACS_TLS_CA: ca.cert }).join(), /BEELDPOORT_PACS_TLS_CA needs BEELDPOORT_PACS/);
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS_CERT: client.cert }).join(), /BEELDPOORT_PACS_TLS_CERT and BEELDPOORT_PACS_TLS_KEY go together/);
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS_KEY: client.key }).join(), /BEELDPOORT_PACS_TLS_CERT and BEELDPOORT_PACS_TLS_KEY go together/);
  });

  test('a missing, unreadable or wrong file is an error naming the variable and the file', () => {
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS_CA: 'missing.pem' }).join(), /BEELDPOORT_PACS_TLS_CA: cannot read .*missing\.pem \(ENOENT\)/);
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS_CA: tmp }).join(), /BEELDPOORT_PACS_TLS_CA: cannot read .* \(EISDIR\)/);
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS_CA: notPem }).join(), /BEELDPOORT_PACS_TLS_CA: .*not\.pem holds no PEM certificate/);
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS_CA: ca.key }).join(), /BEELDPOORT_PACS_TLS_CA: .*ca\.key holds no PEM certificate/);
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS_CERT: client.cert, BEELDPOORT_PACS_TLS_KEY: notPem }).join(), /BEELDPOORT_PACS_TLS_KEY: .*not\.pem is not a PEM private key/);
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS_KEY_PASSPHRASE_FILE: notPem }).join(), /BEELDPOORT_PACS_TLS_KEY_PASSPHRASE_FILE is the passphrase of BEELDPOORT_PACS_TLS_KEY: give the key too/);
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS_SERVERNAME: 'pacs_01 .nl' }).join(), /BEELDPOORT_PACS_TLS_SERVERNAME: "pacs_01 \.nl" is not a host name/);
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS_CERT: client.cert, BEELDPOORT_PACS_TLS_KEY: other.key }).join(), /BEELDPOORT_PACS_TLS_KEY: the private key in .*other\.key does not belong to the certificate in .*client\.pem/);
    const garbled = path.join(tmp, 'garbled.pem');
    writeFileSync(garbled, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    assert.match(problemsOf({ ...PACS, BEELDPOORT_PACS_TLS_CA: garbled }).join(), /BEELDPOORT_PACS_TLS_CA: .*garbled\.pem holds a certificate that does not parse/);
    // All at once, with the other variables' problems.
    assert.equal(problemsOf({ ...PACS, BEELDPOORT_PORT: 'x', BEELDPOORT_PACS_TLS_CA: 'missing.pem', BEELDPOORT_PACS_TLS_CERT: client.cert, BEELDPOORT_PACS_TLS_KEY: other.key }).length, 3);
  });
});
