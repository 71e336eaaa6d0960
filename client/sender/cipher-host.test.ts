import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciphertextSize, newShipmentSecret } from '../../shared/format/index.ts';
import { ciphertextOf } from '../../shared/send/index.ts';
import { createCipherHost } from './cipher-host.ts';
import type { CipherReply } from './cipher-protocol.ts';
import { plainFile } from './plain-file.ts';

// The worker side of the page's encryption, run in Node (Blob, File and WebCrypto are globals there too): what it
// hands over must be the octets of the pipeline's own recipe, for any range tus may ask (a resume starts anywhere).

function host() {
  const replies = new Map<number, CipherReply>();
  const waiters = new Map<number, (reply: CipherReply) => void>();
  const handle = createCipherHost((reply) => {
    replies.set(reply.request, reply);
    waiters.get(reply.request)?.(reply);
  });
  let request = 0;
  const read = (id: number, start: number, end: number): Promise<CipherReply> => {
    const mine = ++request;
    const reply = new Promise<CipherReply>((resolve) => waiters.set(mine, resolve));
    handle({ type: 'cipher-read', id, request: mine, start, end });
    return reply;
  };
  return { handle, read };
}

async function bytes(reply: CipherReply): Promise<Uint8Array> {
  assert.equal(reply.type, 'cipher-chunk', reply.type === 'cipher-failed' ? reply.message : '');
  return new Uint8Array(await (reply as { chunk: Blob }).chunk.arrayBuffer());
}

function file(size: number, seed: number): File {
  return new File([new Uint8Array(size).map((_, i) => (i * seed + 3) & 0xff)], 'x.dcm');
}

test('a bundle made in the cipher host is the pipeline recipe octet for octet, over any range', async () => {
  const secret = newShipmentSecret();
  const shipmentId = 'shp_cipher_host';
  // One file over a record (256 KiB of data), one small, one empty-ish: records and file joins both get cut.
  const picked = [file(300_000, 7), file(1_000, 11), file(1, 13)];
  const files = picked.map((f, i) => ({ fileId: `f_host_${i}`, plainSize: f.size, size: ciphertextSize(f.size), file: f }));
  const expected = await ciphertextOf({ secret, shipmentId, files: files.map((f) => ({ ...f, plain: plainFile(f.fileId, f.file) })) });
  const whole = await expected.read(0, expected.size);
  const { handle, read } = host();
  handle({ type: 'cipher-open', id: 1, secret, shipmentId, files });
  for (const [start, end] of [[0, expected.size], [0, 21], [5, 262_200], [262_150, 300_100], [300_030, expected.size], [expected.size - 3, expected.size + 99]] as const) {
    assert.deepEqual(await bytes(await read(1, start, end)), whole.subarray(start, Math.min(end, expected.size)), `[${start}, ${end})`);
  }
  handle({ type: 'cipher-close', id: 1 });
  const closed = await read(1, 0, 10);
  assert.deepEqual(closed.type === 'cipher-failed' && closed.code, 'E_SEND_ABORTED');
});

test('a file that is shorter than planned fails the read with the encryptor code, and the next upload still works', async () => {
  const secret = newShipmentSecret();
  const short = file(100, 5);
  const { handle, read } = host();
  handle({ type: 'cipher-open', id: 7, secret, shipmentId: 'shp_cipher_host', files: [{ fileId: 'f_short', plainSize: 200, size: ciphertextSize(200), file: short }] });
  const failed = await read(7, 0, 50);
  assert.equal(failed.type, 'cipher-failed');
  assert.equal(failed.type === 'cipher-failed' && failed.code, 'E_SOURCE');
  handle({ type: 'cipher-open', id: 8, secret, shipmentId: 'shp_cipher_host', files: [{ fileId: 'f_fine', plainSize: 100, size: ciphertextSize(100), file: short }] });
  assert.equal((await bytes(await read(8, 0, 1_000))).length, ciphertextSize(100));
});

test('a checksum taken in the cipher host is the SHA-256 of the whole file', async () => {
  const { createHash } = await import('node:crypto');
  const picked = file(300_000, 9);
  const replies: CipherReply[] = [];
  const done = new Promise<void>((resolve) => {
    const handle = createCipherHost((reply) => {
      replies.push(reply);
      if (replies.length === 2) resolve();
    });
    handle({ type: 'cipher-hash', request: 1, file: picked });
    handle({ type: 'cipher-hash', request: 2, file: new File([], 'empty.dcm') });
  });
  await done;
  const hexOf = (request: number) => {
    const reply = replies.find((r) => r.request === request);
    return reply?.type === 'cipher-digest' ? reply.hex : reply;
  };
  assert.equal(hexOf(1), createHash('sha256').update(new Uint8Array(await picked.arrayBuffer())).digest('hex'));
  assert.equal(hexOf(2), createHash('sha256').digest('hex'));
});
