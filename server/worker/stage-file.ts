/**
 * Decrypt -> hash -> plaintext, streamed, for one manifest file. Its ciphertext (its own aes128gcm body: a whole
 * upload, or its slice of a bundle, docs/format.md "Uploads and bundles") streams through decryptFile (each RFC 8188
 * record authenticated before it is released) into memory or a private staging file (0600, in a 0700 directory)
 * while SHA-256 and size are computed on the way; the caller chooses memory only for files small enough for its
 * memory bound. On any failure the partial plaintext is discarded before the error propagates.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { decryptFile, ID_PATTERN, type ManifestFile } from '../../shared/format/index.ts';
import { nodeAesGcm } from '../crypto/node-aes-gcm.ts';
import { removeFile, type Plaintext } from './plaintext.ts';
import { WorkerError } from './worker-error.ts';

export interface StageRequest {
  readonly shipmentId: string;
  readonly secret: Uint8Array;
  readonly file: ManifestFile;
  /** The shipment's private staging directory (exists, 0700). */
  readonly dir: string;
  /** Keep the plaintext in memory (file.size bytes) instead of a staging file. */
  readonly inMemory: boolean;
}

/** Where the decrypted records go, in order; `size` (from the manifest) was checked before each write. */
interface Sink {
  write(chunk: Uint8Array, at: number): Promise<void> | void;
  finish(): Promise<Plaintext>;
  discard(): Promise<void>;
}

function memorySink(size: number): Sink {
  // Its own ArrayBuffer, exactly the file: it can be handed to the validation thread and back without a copy. Not
  // zero-filled: every octet is written before it is read (finish() is only reached once `size` octets arrived).
  const bytes: Uint8Array = Buffer.allocUnsafeSlow(size);
  return {
    write: (chunk, at) => bytes.set(chunk, at),
    finish: async () => ({ kind: 'memory', bytes }),
    discard: async () => undefined,
  };
}

async function fileSink(target: string): Promise<Sink> {
  // 'wx': the shipment's staging directory is emptied at the start of each attempt, and a failed try of this file
  // deleted its partial plaintext, so the name is free; finding it taken means something is wrong, not a retry.
  const handle: FileHandle = await open(target, 'wx', 0o600);
  return {
    write: async (chunk) => void (await handle.write(chunk)),
    async finish() {
      await handle.close();
      return { kind: 'file', path: target };
    },
    async discard() {
      await handle.close().catch(() => undefined);
      await removeFile(target);
    },
  };
}

/** Returns the staged plaintext; throws FormatError E_DECRYPT, WorkerError E_HASH_MISMATCH/E_SIZE_MISMATCH/E_PORTAL. */
export async function stageFile(request: StageRequest, ciphertext: AsyncIterable<Uint8Array>): Promise<Plaintext> {
  const { file, shipmentId } = request;
  if (!ID_PATTERN.test(file.fileId)) throw new WorkerError('E_FILE_NOT_DECLARED', `file id "${file.fileId.slice(0, 80)}" is not an id`);
  const sink = request.inMemory ? memorySink(file.size) : await fileSink(path.join(request.dir, file.fileId));
  try {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of decryptFile({ secret: request.secret, shipmentId, fileId: file.fileId, engine: nodeAesGcm }, ciphertext)) {
      if (size + chunk.length > file.size) throw new WorkerError('E_SIZE_MISMATCH', `more than the ${file.size} bytes the manifest gives`);
      hash.update(chunk);
      await sink.write(chunk, size);
      size += chunk.length;
    }
    if (size !== file.size) throw new WorkerError('E_SIZE_MISMATCH', `${size} bytes, manifest says ${file.size}`);
    const digest = hash.digest('hex');
    if (digest !== file.sha256.toLowerCase()) throw new WorkerError('E_HASH_MISMATCH', `SHA-256 ${digest.slice(0, 16)}..., manifest says ${file.sha256.slice(0, 16)}...`);
    return await sink.finish();
  } catch (error) {
    await sink.discard();
    throw error;
  }
}
