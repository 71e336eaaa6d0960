/**
 * Byte helpers on plain Uint8Array. The test-CD writer avoids Node's Buffer type: with TypeScript 6 and the pinned
 * @types/node 20.9, Buffer is not assignable to Uint8Array, so plain typed arrays keep the types honest.
 */

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

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

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
