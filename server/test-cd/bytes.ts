/**
 * Byte helpers on plain Uint8Array. The test-CD writer avoids Node's Buffer type: with TypeScript 6 and the pinned
 * @types/node 20.9, Buffer is not assignable to Uint8Array, so plain typed arrays keep the types honest.
 */

// The same helpers as in the portal and the browser. shared's concatBytes hands back a lone part as it is instead
// of a copy; nothing here writes into a concatenation, so the bytes written are the same.
export { concatBytes as concat, utf8 } from '../../shared/format/bytes.ts';

/** ISO 8859-1 bytes; throws on a character Latin-1 cannot hold rather than writing a wrong byte. */
export function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new RangeError(`"${text}" is not representable in ISO 8859-1`);
    out[i] = code;
  }
  return out;
}

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
