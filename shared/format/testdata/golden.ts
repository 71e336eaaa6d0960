/**
 * Golden vectors, run identically in Node (test/format-golden.test.ts) and in headless Chromium
 * (test/format-browser.test.ts, bundled by esbuild): RFC 8188 §3.1 and §3.2 decrypt and re-encrypt exactly, and the
 * frozen Beeldpoort vectors (key schedule, file bodies, an envelope made once) reproduce byte for byte. The
 * Beeldpoort bodies were cross-checked against the independent http_ece implementation when frozen, and that
 * check is repeated in Node on every run.
 */
import type { AesGcmEngine } from '../aes-gcm.ts';
import { webCryptoAesGcm } from '../aes-gcm.ts';
import { concatBytes, fromBase64Url, fromHex, toHex } from '../bytes.ts';
import { openEnvelope } from '../envelope.ts';
import { createFileEncryptor } from '../file-encryptor.ts';
import { decryptAes128gcm, decryptFile } from '../file-decryptor.ts';
import { deriveFileKeys } from '../file-keys.ts';
import { keyFingerprint } from '../keys.ts';
import { deriveRecordKeys, encodeHeader, sealRecord } from '../rfc8188.ts';
import { GOLDEN } from './golden-vectors.ts';

export interface VectorResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** Deterministic plaintext for the frozen file vectors: octet i is (31 i + 7) mod 256. */
export function goldenPlaintext(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (31 * i + 7) & 0xff;
  return out;
}

export const goldenSecret = (): Uint8Array => fromHex(GOLDEN.secretHex);

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return concatBytes(parts);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

async function check(name: string, body: () => Promise<string | undefined>): Promise<VectorResult> {
  try {
    const problem = await body();
    return problem === undefined ? { name, ok: true } : { name, ok: false, detail: problem };
  } catch (error) {
    return { name, ok: false, detail: `threw ${(error as Error)?.name}: ${(error as Error)?.message}` };
  }
}

export async function runGoldenVectors(engine: AesGcmEngine = webCryptoAesGcm): Promise<VectorResult[]> {
  const results: VectorResult[] = [];
  for (const v of GOLDEN.rfc8188) {
    const ikm = fromBase64Url(v.ikm);
    const body = fromBase64Url(v.body);
    results.push(
      await check(`${v.name} decrypts`, async () => {
        const plain = text(await collect(decryptAes128gcm(ikm, once(body), { engine })));
        return plain === v.plaintext ? undefined : `got ${JSON.stringify(plain)}`;
      }),
      await check(`${v.name} re-encrypts exactly`, async () => {
        const salt = body.subarray(0, 16);
        const keys = await deriveRecordKeys(ikm, salt, engine);
        const parts = [encodeHeader({ salt, rs: v.rs, keyId: new TextEncoder().encode(v.keyId) })];
        let offset = 0;
        for (const [seq, record] of v.records.entries()) {
          const data = new TextEncoder().encode(v.plaintext).subarray(offset, offset + record.data);
          offset += record.data;
          parts.push(await sealRecord(keys, seq, data, seq === v.records.length - 1, record.padding));
        }
        const again = concatBytes(parts);
        return toHex(again) === toHex(body) ? undefined : `got ${toHex(again)}`;
      }),
    );
  }
  const secret = goldenSecret();
  results.push(
    await check('key schedule', async () => {
      const { ikm, salt } = await deriveFileKeys(secret, GOLDEN.shipmentId, GOLDEN.fileId, engine);
      const got = `${toHex(ikm)}/${toHex(salt)}`;
      return got === `${GOLDEN.keySchedule.ikmHex}/${GOLDEN.keySchedule.saltHex}` ? undefined : `got ${got}`;
    }),
  );
  for (const v of GOLDEN.files) {
    const ids = { secret, shipmentId: GOLDEN.shipmentId, fileId: GOLDEN.fileId, engine };
    const plain = goldenPlaintext(v.plainSize);
    results.push(
      await check(`file body rs=${v.recordSize} size=${v.plainSize}`, async () => {
        const encryptor = await createFileEncryptor({
          ...ids,
          plainSize: v.plainSize,
          recordSize: v.recordSize,
          readPlain: async (start, end) => plain.slice(start, end),
        });
        const body = await encryptor.read(0, encryptor.size);
        const digest = await sha256Hex(body);
        if (digest !== v.sha256) return `ciphertext sha256 ${digest}`;
        if (v.hex !== undefined && toHex(body) !== v.hex) return `ciphertext ${toHex(body)}`;
        const back = await collect(decryptFile(ids, once(body)));
        return toHex(back) === toHex(plain) ? undefined : 'decrypted plaintext differs';
      }),
    );
  }
  results.push(
    await check('envelope opens with the frozen private key', async () => {
      const { secret: got, manifest } = await openEnvelope(JSON.parse(GOLDEN.envelope.jwe), GOLDEN.envelope.privateJwk);
      if (toHex(got) !== GOLDEN.secretHex) return `secret ${toHex(got)}`;
      return JSON.stringify(manifest) === GOLDEN.envelope.manifestJson ? undefined : 'manifest differs';
    }),
    await check('key fingerprint', async () => {
      const got = await keyFingerprint(GOLDEN.envelope.publicJwk);
      return got === GOLDEN.envelope.fingerprint ? undefined : `got ${got}`;
    }),
  );
  return results;
}
