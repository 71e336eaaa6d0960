// Bundled for Chromium by test/format-browser.test.ts: the golden vectors with the sender page's engine
// (client/sender/page-aes-gcm.ts: WebCrypto records, HKDF in plain TypeScript).
import { runGoldenVectors, type VectorResult } from '../shared/format/testdata/golden.ts';
import { pageAesGcm } from '../client/sender/page-aes-gcm.ts';

export function runWithPageEngine(): Promise<VectorResult[]> {
  return runGoldenVectors(pageAesGcm);
}
