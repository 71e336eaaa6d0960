/**
 * The receiving institution's key pair: X25519 for ECDH-ES (RFC 8037 §3.2, RFC 7518 §4.6). The public JWK travels
 * to every sender; the private JWK stays with the import worker. `kid` is the RFC 7638 SHA-256 thumbprint, so it
 * names the key without a registry, and the fingerprint shown to a clerk is the same thumbprint in hex groups.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { fromBase64Url } from './bytes.ts';
import { FormatError } from './errors.ts';

export const KEY_ALG = 'ECDH-ES+A256KW';

export interface InstitutionKeyPair {
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

export async function generateInstitutionKeyPair(): Promise<InstitutionKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(KEY_ALG, { crv: 'X25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const common = { kid, alg: KEY_ALG, use: 'enc' };
  return { publicJwk: { ...publicJwk, ...common }, privateJwk: { ...privateJwk, ...common } };
}

/** A recipient key we accept: X25519, or P-256 for a browser without X25519 (issue 3); never a private part. */
export function assertPublicJwk(jwk: unknown, what = 'public key'): asserts jwk is JWK {
  const key = jwk as JWK | null;
  const ok =
    typeof key === 'object' && key !== null && key.d === undefined &&
    ((key.kty === 'OKP' && key.crv === 'X25519' && typeof key.x === 'string') ||
      (key.kty === 'EC' && key.crv === 'P-256' && typeof key.x === 'string' && typeof key.y === 'string'));
  if (!ok) throw new FormatError('E_ARGUMENT', `${what} must be a public X25519 (or P-256) JWK without "d"`);
}

/**
 * Human-readable fingerprint: the RFC 7638 SHA-256 thumbprint as 16 groups of 4 upper-case hex digits, e.g.
 * "3F2A 9C01 …". Receiver and clerk can compare it aloud over the phone.
 */
export async function keyFingerprint(publicJwk: JWK): Promise<string> {
  assertPublicJwk(publicJwk);
  const thumbprint = fromBase64Url(await calculateJwkThumbprint(publicJwk, 'sha256'));
  const hex = Array.from(thumbprint, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
  return hex.match(/.{4}/g)!.join(' ');
}
