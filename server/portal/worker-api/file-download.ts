/**
 * Serves a complete file's ciphertext to the worker. A CD is ~1,300 small files, each downloaded once: the common
 * request (a whole small file, no Range) is answered from one read of the file into one buffer, with the file opened,
 * measured and closed in place, instead of the `send` module's stat, stream and per-request option handling
 * (thread-pool round trips cost tens of microseconds each in wake-ups and context switches). Everything else — a
 * Range (RFC 9110 §14: a resumed download), a conditional request, HEAD, a large file — goes through Express's
 * sendFile as before. The answer's headers are the same either way except the ETag, which no client uses.
 */
import { closeSync, fstatSync, openSync, read } from 'node:fs';
import { promisify } from 'node:util';
import type { NextFunction, Request, Response } from 'express';

/** Files up to this size are read whole (4 downloads in flight hold at most 8 MiB). */
const WHOLE_FILE_MAX = 2 * 1024 * 1024;

const readFd = promisify(read);

const HEADERS = { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment' };

const SEND_OPTIONS: Parameters<Response['sendFile']>[1] & { highWaterMark: number } = {
  acceptRanges: true, cacheControl: false, lastModified: false, dotfiles: 'deny',
  // The `send` module passes its options on to fs.createReadStream: 512 KiB reads instead of 64 KiB, an eighth
  // of the reads and stream events per download; 4 downloads hold 2 MiB.
  highWaterMark: 512 * 1024,
  headers: HEADERS,
};

function plainWholeGet(req: Request): boolean {
  return req.method === 'GET' && req.headers.range === undefined && req.headers['if-range'] === undefined
    && req.headers['if-match'] === undefined && req.headers['if-none-match'] === undefined
    && req.headers['if-modified-since'] === undefined && req.headers['if-unmodified-since'] === undefined;
}

/** Reads the whole file if it is small; undefined when it is not (the caller streams it instead). */
async function readSmall(file: string): Promise<Buffer | undefined> {
  const fd = openSync(file, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > WHOLE_FILE_MAX) return undefined;
    const buffer = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await readFd(fd, buffer, filled, size - filled, filled);
      if (bytesRead === 0) throw new Error(`${file} ended at ${filled} of ${size} bytes`);
      filled += bytesRead;
    }
    return buffer;
  } finally {
    closeSync(fd);
  }
}

export async function sendCiphertext(req: Request, res: Response, next: NextFunction, file: string): Promise<void> {
  const whole = plainWholeGet(req) ? await readSmall(file) : undefined;
  if (whole) {
    res.set(HEADERS).set('Accept-Ranges', 'bytes').set('Content-Length', String(whole.length)).end(whole);
    return;
  }
  res.sendFile(file, SEND_OPTIONS, (error) => {
    if (error && !res.headersSent) next(error);
  });
}
