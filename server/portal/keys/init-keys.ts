/**
 * `keys init`: creates whatever is missing of the institution X25519 key pair (JWK, kid = RFC 7638
 * thumbprint), the Ed25519 link-signing key and the worker credential, and records the credential's hash in
 * the portal database. Idempotent: existing keys are never replaced (that would orphan every shipment
 * encrypted to the old key and every link signed with it).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { SettingsStore } from '../db/settings.ts';
import { keyFingerprint } from '../../../shared/format/index.ts';
import { keyPaths } from './key-files.ts';

export const WORKER_CREDENTIAL_SETTING = 'worker.credential.sha256';

export interface KeysInitResult {
  created: string[];
  fingerprint: string;
}

function writeSecret(file: string, text: string): void {
  // wx: never overwrite (a concurrent init loses the race cleanly instead of replacing a key)
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
}

export function credentialHash(credential: string): string {
  return createHash('sha256').update(credential.trim()).digest('hex');
}

async function createInstitutionKeyPair(publicFile: string, privateFile: string): Promise<void> {
  const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const privateJwk = await exportJWK(privateKey);
  writeSecret(privateFile, `${JSON.stringify({ ...privateJwk, kid })}\n`);
  writeFileSync(publicFile, `${JSON.stringify({ kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, kid })}\n`, { mode: 0o644, flag: 'wx' });
}

async function createSigningKey(file: string): Promise<void> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk: JWK = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk, 'sha256');
  writeSecret(file, `${JSON.stringify({ ...jwk, alg: 'EdDSA', use: 'sig' })}\n`);
}

export async function initKeys(dataDir: string, settings: SettingsStore): Promise<KeysInitResult> {
  const paths = keyPaths(dataDir);
  const created: string[] = [];
  mkdirSync(paths.keysDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.workerDir, { recursive: true, mode: 0o700 });
  chmodSync(paths.workerDir, 0o700);
  if (!existsSync(paths.institutionPublic)) {
    if (existsSync(paths.institutionPrivate)) throw new Error(`${paths.institutionPrivate} exists without its public key: restore the public JWK, do not regenerate`);
    await createInstitutionKeyPair(paths.institutionPublic, paths.institutionPrivate);
    created.push('institution key pair');
  }
  if (!existsSync(paths.linkSigning)) {
    await createSigningKey(paths.linkSigning);
    created.push('link-signing key');
  }
  if (!existsSync(paths.workerCredential)) {
    writeSecret(paths.workerCredential, `${randomBytes(32).toString('base64url')}\n`);
    created.push('worker credential');
  }
  const hash = credentialHash(readFileSync(paths.workerCredential, 'utf8'));
  if (settings.get(WORKER_CREDENTIAL_SETTING) !== hash) settings.set(WORKER_CREDENTIAL_SETTING, hash);
  const publicJwk = JSON.parse(readFileSync(paths.institutionPublic, 'utf8')) as JWK;
  // The same form the portal serves and senders show (shared/format keyFingerprint), not the raw kid.
  return { created, fingerprint: await keyFingerprint({ kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x } as JWK) };
}
