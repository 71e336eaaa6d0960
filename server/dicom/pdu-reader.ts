/**
 * Cuts the byte stream from the peer into whole PDUs (PS3.8 §9.3.1: type, reserved, 32-bit length). It refuses a
 * PDU longer than the bound we chose, before buffering it, so a broken or hostile peer cannot make us hold
 * gigabytes.
 */
import { DicomError } from './dicom-error.ts';
import { PDU_HEADER_LENGTH } from './pdu.ts';

export interface RawPdu {
  readonly type: number;
  readonly body: Uint8Array;
}

export class PduReader {
  readonly #maxBodyLength: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;

  /** @param maxBodyLength the largest PDU body accepted (our advertised maximum PDU length, PS3.8 D.1). */
  constructor(maxBodyLength: number) {
    this.#maxBodyLength = maxBodyLength;
  }

  /** Adds bytes from the socket and returns every PDU completed by them, in order. */
  push(chunk: Uint8Array): RawPdu[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const out: RawPdu[] = [];
    while (this.#buffered >= PDU_HEADER_LENGTH) {
      const head = this.#peek(PDU_HEADER_LENGTH);
      const length = new DataView(head.buffer, head.byteOffset, PDU_HEADER_LENGTH).getUint32(2);
      if (length > this.#maxBodyLength) {
        throw new DicomError('E_PDU_TOO_LARGE', `PDU type ${head[0]} of ${length} bytes, limit ${this.#maxBodyLength}`);
      }
      if (this.#buffered < PDU_HEADER_LENGTH + length) break;
      const whole = this.#take(PDU_HEADER_LENGTH + length);
      out.push({ type: whole[0]!, body: whole.subarray(PDU_HEADER_LENGTH) });
    }
    return out;
  }

  #peek(n: number): Uint8Array {
    if (this.#chunks[0]!.length < n) this.#chunks = [this.#join()];
    return this.#chunks[0]!.subarray(0, n);
  }

  #take(n: number): Uint8Array {
    if (this.#chunks[0]!.length < n) this.#chunks = [this.#join()];
    const first = this.#chunks[0]!;
    const taken = first.subarray(0, n);
    if (first.length === n) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(n);
    this.#buffered -= n;
    return taken;
  }

  #join(): Uint8Array {
    const out = new Uint8Array(this.#buffered);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
