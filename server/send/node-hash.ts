/** node:crypto's SHA-256 behind the pipeline's HashFactory: native speed, bounded memory (shared/send/sha256.ts). */
import { createHash } from 'node:crypto';
import type { HashFactory } from '../../shared/send/index.ts';

export const nodeSha256: HashFactory = () => {
  const hash = createHash('sha256');
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => new Uint8Array(hash.digest()),
  };
};
