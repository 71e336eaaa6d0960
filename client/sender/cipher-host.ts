/**
 * The worker side of the page's encryption (cipher-client.ts is the page side): each upload's ciphertext is made
 * here with the shared pipeline's own recipe (shared/send ciphertextOf: the same encryptors and bundle joins as
 * anywhere else, so the same octets) and every chunk tus asks for is read, sealed and joined into one Blob here.
 * On the page those steps were most of the main thread's time and its longest tasks: building an 8 MiB chunk Blob
 * alone took 13 ms per chunk, and each WebCrypto call copies its 256 KiB record synchronously (bench:browser-profile).
 */
import { readCiphertextParts, ciphertextOf, type CiphertextSource } from '../../shared/send/index.ts';
import type { CipherReply, CipherRequest } from './cipher-protocol.ts';
import { pageAesGcm } from './page-aes-gcm.ts';
import { plainFile } from './plain-file.ts';

export function createCipherHost(post: (reply: CipherReply) => void): (message: CipherRequest) => void {
  const sources = new Map<number, Promise<CiphertextSource>>();
  return (message) => {
    if (message.type === 'cipher-open') {
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
        .then(
          (parts) => post({ type: 'cipher-chunk', request, chunk: new Blob(parts as Array<Uint8Array<ArrayBuffer>>) }),
          (error: unknown) => {
            const code = (error as { code?: unknown } | null)?.code;
            post({ type: 'cipher-failed', request, message: error instanceof Error ? error.message : String(error), ...(typeof code === 'string' ? { code } : {}) });
          },
        );
    }
  };
}
