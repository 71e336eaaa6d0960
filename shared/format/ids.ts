import { FormatError } from './errors.ts';

/** Shipment and file ids: short, URL-safe, safe as a file name and inside a tus Upload-Metadata value. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function assertId(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new FormatError('E_ARGUMENT', `${what} must match ${ID_PATTERN.source}`);
  }
}

/** 32 random octets: the per-shipment secret every file key derives from (docs/format.md, key schedule). */
export function newShipmentSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

export function assertSecret(secret: unknown): asserts secret is Uint8Array {
  if (!(secret instanceof Uint8Array) || secret.length !== 32) {
    throw new FormatError('E_ARGUMENT', 'the shipment secret must be 32 octets');
  }
}
