import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, parsePacsAddress, ConfigError } from './config.ts';

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
