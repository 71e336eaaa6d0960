/**
 * Inflates a raw DEFLATE stream (RFC 1951; the Deflated Explicit VR Little Endian transfer syntax, PS3.5 A.5) with
 * the web-standard DecompressionStream, which browsers and Node 20+ both have. Output stops at `limit` bytes, so a
 * deflate bomb (1 MB in, 10 GB out) costs no more memory than a real header.
 */

/** The first `limit` bytes (or fewer) of the inflated stream, and whether the stream was cut short. */
export async function inflateRawPrefix(compressed: Uint8Array, limit: number): Promise<{ bytes: Uint8Array; complete: boolean }> {
  const stream = new Blob([compressed as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let complete = true;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (total >= limit) {
        complete = false;
        break;
      }
    }
  } catch (error) {
    // A truncated or corrupt stream: keep what inflated so far; the parser decides whether it is enough.
    if (total === 0) throw error;
    complete = false;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(total, limit));
  let at = 0;
  for (const chunk of chunks) {
    const take = Math.min(chunk.length, bytes.length - at);
    bytes.set(chunk.subarray(0, take), at);
    at += take;
    if (at === bytes.length) break;
  }
  return { bytes, complete };
}
