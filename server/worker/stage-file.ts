/**
 * Download -> decrypt -> hash -> staging, streamed, for one file. The ciphertext streams from the portal through
 * decryptFile (each RFC 8188 record authenticated before it is released) into a private staging file (0600, in a
 * 0700 directory) while SHA-256 and size are computed on the way. Memory stays at a few records whatever the file
 * size. On any failure the partial plaintext is deleted before the error propagates.
 */
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { decryptFile, ID_PATTERN, type ManifestFile } from '../../shared/format/index.ts';
import { nodeAesGcm } from '../crypto/node-aes-gcm.ts';
import type { PortalClient } from './portal-client.ts';
import { WorkerError } from './worker-error.ts';

export interface StageRequest {
  readonly client: PortalClient;
  readonly shipmentId: string;
  readonly secret: Uint8Array;
  readonly file: ManifestFile;
  /** The shipment's private staging directory (exists, 0700). */
  readonly dir: string;
  readonly signal?: AbortSignal;
}

/** Returns the path of the staged plaintext; throws FormatError E_DECRYPT, WorkerError E_HASH_MISMATCH/E_SIZE_MISMATCH/E_PORTAL. */
export async function stageFile(request: StageRequest): Promise<string> {
  const { file, shipmentId } = request;
  if (!ID_PATTERN.test(file.fileId)) throw new WorkerError('E_FILE_NOT_DECLARED', `file id "${file.fileId.slice(0, 80)}" is not an id`);
  const target = path.join(request.dir, file.fileId);
  await rm(target, { force: true });
  const handle = await open(target, 'wx', 0o600);
  try {
    const ciphertext = await request.client.download(shipmentId, file.fileId, request.signal);
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of decryptFile({ secret: request.secret, shipmentId, fileId: file.fileId, engine: nodeAesGcm }, ciphertext)) {
      size += chunk.length;
      if (size > file.size) throw new WorkerError('E_SIZE_MISMATCH', `more than the ${file.size} bytes the manifest gives`);
      hash.update(chunk);
      await handle.write(chunk);
    }
    if (size !== file.size) throw new WorkerError('E_SIZE_MISMATCH', `${size} bytes, manifest says ${file.size}`);
    const digest = hash.digest('hex');
    if (digest !== file.sha256.toLowerCase()) throw new WorkerError('E_HASH_MISMATCH', `SHA-256 ${digest.slice(0, 16)}..., manifest says ${file.sha256.slice(0, 16)}...`);
    await handle.close();
    return target;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(target, { force: true });
    throw error;
  }
}
