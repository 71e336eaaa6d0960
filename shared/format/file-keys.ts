/**
 * Per-file key schedule (docs/format.md): from the 32-octet shipment secret, HKDF-SHA-256 (RFC 5869) derives
 * for each (shipment id, file id)
 *   IKM  = HKDF(secret, salt = "", info = "beeldpoort/v1 aes128gcm ikm"  || 0x00 || shipmentId || 0x00 || fileId, 16)
 *   salt = HKDF(secret, salt = "", info = "beeldpoort/v1 aes128gcm salt" || 0x00 || shipmentId || 0x00 || fileId, 16)
 * The ids are drawn from [A-Za-z0-9_-], so the 0x00 separators make the info strings unambiguous. Binding both ids
 * into IKM is what makes a body moved under another file (or shipment) fail to authenticate. The salt is derived,
 * not drawn at random, so a sender that kept only the secret re-creates the identical header after a reload and
 * tus can resume at any byte; IKM is already unique per file, so the salt adds no secrecy it would otherwise lack.
 */
import type { AesGcmEngine } from './aes-gcm.ts';
import { hkdfWithKey, importHkdfKey } from './rfc8188.ts';
import { concatBytes, utf8 } from './bytes.ts';
import { assertId, assertSecret } from './ids.ts';

export interface FileKeyMaterial {
  readonly ikm: Uint8Array;
  readonly salt: Uint8Array;
}

function info(label: string, shipmentId: string, fileId: string): Uint8Array {
  return concatBytes([utf8(label), new Uint8Array([0]), utf8(shipmentId), new Uint8Array([0]), utf8(fileId)]);
}

/**
 * The shipment secret imported once as a WebCrypto HKDF key and reused for every file of the shipment (a CD has
 * thousands). One entry, compared by content rather than by array identity, so a caller that reuses or clears its
 * buffer can never get a key for other octets.
 */
let lastSecret: { readonly octets: Uint8Array; readonly key: Promise<CryptoKey> } | undefined;

function secretKey(secret: Uint8Array): Promise<CryptoKey> {
  if (lastSecret && lastSecret.octets.length === secret.length && lastSecret.octets.every((octet, i) => octet === secret[i])) return lastSecret.key;
  const key = importHkdfKey(secret);
  lastSecret = { octets: secret.slice(), key };
  key.catch(() => {
    if (lastSecret?.key === key) lastSecret = undefined;
  });
  return key;
}

/** `engine`: its hkdf, when it has one (node:crypto on the Node side), instead of WebCrypto's. */
export async function deriveFileKeys(secret: Uint8Array, shipmentId: string, fileId: string, engine?: Pick<AesGcmEngine, 'hkdf'>): Promise<FileKeyMaterial> {
  assertSecret(secret);
  assertId('shipmentId', shipmentId);
  assertId('fileId', fileId);
  const empty = new Uint8Array(0);
  const ikmInfo = info('beeldpoort/v1 aes128gcm ikm', shipmentId, fileId);
  const saltInfo = info('beeldpoort/v1 aes128gcm salt', shipmentId, fileId);
  if (engine?.hkdf) {
    const [ikm, salt] = await Promise.all([engine.hkdf(secret, empty, ikmInfo, 16), engine.hkdf(secret, empty, saltInfo, 16)]);
    return { ikm, salt };
  }
  const key = await secretKey(secret);
  const [ikm, salt] = await Promise.all([hkdfWithKey(key, empty, ikmInfo, 16), hkdfWithKey(key, empty, saltInfo, 16)]);
  return { ikm, salt };
}
