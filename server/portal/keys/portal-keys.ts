/** The keys the running portal holds: the public institution JWK and the link-signing key pair. */
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from 'jose';
import { keyFingerprint } from '../../../shared/format/index.ts';
import { keyPaths } from './key-files.ts';

export interface InstitutionPublicKey {
  readonly kty: 'OKP';
  readonly crv: 'X25519';
  readonly x: string;
  readonly kid: string;
}

export interface PortalKeys {
  /** Served to senders: they encrypt every shipment to it. */
  readonly institutionPublic: InstitutionPublicKey;
  /**
   * The key fingerprint as every sender and the dashboard show it: shared/format's keyFingerprint (the RFC 7638
   * SHA-256 thumbprint in 16 groups of 4 hex digits), so clerk and radiologist compare one form over the phone.
   */
  readonly fingerprint: string;
  readonly signingPrivate: CryptoKey;
  readonly signingPublic: CryptoKey;
  readonly signingKid: string;
}

export class KeysMissingError extends Error {
  readonly code = 'E_KEYS_MISSING';
}

function readJwk(file: string): JWK {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (error) {
    throw new KeysMissingError(`cannot read ${file}: run \`beeldpoort keys init\` first`, { cause: error });
  }
}

export async function loadPortalKeys(dataDir: string): Promise<PortalKeys> {
  const paths = keyPaths(dataDir);
  const pub = readJwk(paths.institutionPublic);
  if (pub.kty !== 'OKP' || pub.crv !== 'X25519' || typeof pub.x !== 'string') throw new KeysMissingError(`${paths.institutionPublic} is not an X25519 public JWK`);
  if ('d' in pub) throw new KeysMissingError(`${paths.institutionPublic} contains a private key: it must hold the public part only`);
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'X25519', x: pub.x }, 'sha256');
  const signing = readJwk(paths.linkSigning);
  const { d: _d, ...signingPublicJwk } = signing;
  return {
    institutionPublic: Object.freeze({ kty: 'OKP', crv: 'X25519', x: pub.x, kid }),
    fingerprint: await keyFingerprint({ kty: 'OKP', crv: 'X25519', x: pub.x }),
    signingPrivate: (await importJWK(signing, 'EdDSA')) as CryptoKey,
    signingPublic: (await importJWK(signingPublicJwk, 'EdDSA')) as CryptoKey,
    signingKid: signing.kid ?? '',
  };
}
