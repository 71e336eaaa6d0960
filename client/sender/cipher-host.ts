/**
 * The worker side of the page's hashing and encryption (cipher-client.ts is the page side). Each file's checksum
 * for the plan is taken here (shared/send sha256Hex), and each upload's ciphertext is made here with the pipeline's
 * own recipe (shared/send ciphertextOf: the same encryptors and bundle joins, so the same octets); every chunk tus
 * asks for is read, sealed and joined into one Blob here. On the page these were most of the main thread's time and
 * its longest tasks: an 8 MiB chunk Blob took 13 ms to build, and every WebCrypto call copies its input (a 256 KiB
 * record, a whole file to digest) synchronously on the calling thread (bench:browser-profile, 700 MB CD).
 */
import { readCiphertextParts, ciphertextOf, sha256Hex, type CiphertextSource } from '../../shared/send/index.ts';
import type { CipherReply, CipherRequest } from './cipher-protocol.ts';
import { pageAesGcm } from './page-aes-gcm.ts';
import { plainFile } from './plain-file.ts';

export function createCipherHost(post: (reply: CipherReply) => void): (message: CipherRequest) => void {
  const sources = new Map<number, Promise<CiphertextSource>>();
  const failed = (request: number) => (error: unknown) => {
    const code = (error as { code?: unknown } | null)?.code;
    post({ type: 'cipher-failed', request, message: error instanceof Error ? error.message : String(error), ...(typeof code === 'string' ? { code } : {}) });
  };
  return (message) => {
    if (message.type === 'cipher-hash') {
      // The plan's checksum of each file (shared/send sha256.ts), as the page would compute it.
      sha256Hex(plainFile('', message.file)).then((hex) => post({ type: 'cipher-digest', request: message.request, hex }), failed(message.request));
    } else if (message.type === 'cipher-open') {
      const files = message.files.map(({ fileId, plainSize, size, file }) => ({ fileId, plainSize, size, plain: plainFile(fileId, file) }));
      const source = ciphertextOf({ secret: message.secret, shipmentId: message.shipmentId, files }, { engine: pageAesGcm });
      source.catch(() => {}); // surfaces on the first read
      sources.set(message.id, source);
    } else if (message.type === 'cipher-close') {
      sources.delete(message.id);
    } else {
      const { request, start, end } = message;
      const source = sources.get(message.id);
      if (!source) return post({ type: 'cipher-failed', request, message: 'the upload is closed', code: 'E_SEND_ABORTED' });
      source
        .then((opened) => readCiphertextParts(opened, start, end))
        .then((parts) => post({ type: 'cipher-chunk', request, chunk: new Blob(parts as Array<Uint8Array<ArrayBuffer>>) }), failed(request));
    }
  };
}
