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
import { hkdfSha256 } from './rfc8188.ts';
import { concatBytes, utf8 } from './bytes.ts';
import { assertId, assertSecret } from './ids.ts';

export interface FileKeyMaterial {
  readonly ikm: Uint8Array;
  readonly salt: Uint8Array;
}

function info(label: string, shipmentId: string, fileId: string): Uint8Array {
  return concatBytes([utf8(label), new Uint8Array([0]), utf8(shipmentId), new Uint8Array([0]), utf8(fileId)]);
}

export async function deriveFileKeys(secret: Uint8Array, shipmentId: string, fileId: string): Promise<FileKeyMaterial> {
  assertSecret(secret);
  assertId('shipmentId', shipmentId);
  assertId('fileId', fileId);
  const empty = new Uint8Array(0);
  const [ikm, salt] = await Promise.all([
    hkdfSha256(secret, empty, info('beeldpoort/v1 aes128gcm ikm', shipmentId, fileId), 16),
    hkdfSha256(secret, empty, info('beeldpoort/v1 aes128gcm salt', shipmentId, fileId), 16),
  ]);
  return { ikm, salt };
}
