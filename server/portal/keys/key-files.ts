/**
 * Where the keys live in the data directory, and the permissions they need. The portal reads only the
 * public institution JWK, its link-signing key and the worker credential's hash; the institution's PRIVATE
 * key sits under worker/ and no portal code path opens it.
 */
import path from 'node:path';

export interface KeyPaths {
  readonly keysDir: string;
  readonly workerDir: string;
  readonly institutionPublic: string;
  readonly linkSigning: string;
  readonly institutionPrivate: string;
  readonly workerCredential: string;
}

export function keyPaths(dataDir: string): KeyPaths {
  const keysDir = path.join(dataDir, 'keys');
  const workerDir = path.join(dataDir, 'worker');
  return {
    keysDir,
    workerDir,
    institutionPublic: path.join(keysDir, 'institution.public.jwk'),
    linkSigning: path.join(keysDir, 'link-signing.jwk'),
    institutionPrivate: path.join(workerDir, 'institution.private.jwk'),
    workerCredential: path.join(workerDir, 'credential'),
  };
}
