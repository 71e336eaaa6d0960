/**
 * Where one decrypted, authenticated file waits between decryption and C-STORE: in memory when it is small enough
 * (the import policy decides, so the worker's memory stays bounded), else in a private staging file (0600, in the
 * shipment's 0700 staging directory). Memory saves the worker a write, two reads and a delete per file, and leaves
 * no plaintext on disk at all.
 */
import { readFile, unlink } from 'node:fs/promises';

export type Plaintext =
  | { readonly kind: 'memory'; readonly bytes: Uint8Array }
  | { readonly kind: 'file'; readonly path: string };

/** Deletes a file; one that is already gone is fine. Cheaper than rm({ force }), which lstat()s first. */
export async function removeFile(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

export async function plaintextBytes(plaintext: Plaintext): Promise<Uint8Array> {
  if (plaintext.kind === 'memory') return plaintext.bytes;
  const bytes = await readFile(plaintext.path);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export async function discardPlaintext(plaintext: Plaintext): Promise<void> {
  if (plaintext.kind === 'file') await removeFile(plaintext.path);
}
