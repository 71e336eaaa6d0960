// The golden vectors (shared/format/testdata/golden.ts) in Node, with the WebCrypto engine and the node:crypto
// engine. (The independent http_ece check of the frozen bodies is in format-http-ece.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runGoldenVectors } from '../shared/format/testdata/golden.ts';
import { webCryptoAesGcm } from '../shared/format/index.ts';
import { nodeAesGcm } from '../server/crypto/node-aes-gcm.ts';

for (const engine of [webCryptoAesGcm, nodeAesGcm]) {
  test(`golden vectors pass in Node with the ${engine.name} engine`, async () => {
    const results = await runGoldenVectors(engine);
    assert.ok(results.length >= 16, `expected all vectors to run, got ${results.length}`);
    assert.deepEqual(results.filter((r) => !r.ok), []);
  });
}
