import { BeeldpoortError } from '../errors.ts';

/**
 * Stable codes of the shipment format (docs/format.md):
 * - E_DECRYPT: a file body cannot be authenticated. ONE code for a wrong key, a body under the wrong file id, any
 *   flipped bit, truncation, reordering, duplication or trailing data, so a caller (and whoever watches it) gets no
 *   oracle telling "tampered" from "not for you".
 * - E_ENVELOPE: the JWE cannot be opened or is not of the one accepted shape (alg, enc, no zip, general JSON).
 * - E_MANIFEST: the decrypted manifest violates the schema; the message names the field.
 * - E_SOURCE: the plaintext source returned fewer or more bytes than asked (the file changed or vanished under
 *   the sender); encrypting on would reuse a nonce with different plaintext, so the encryptor stops.
 * - E_ARGUMENT: a caller passed an invalid argument (bad id, negative size, short secret).
 */
export type FormatErrorCode = 'E_DECRYPT' | 'E_ENVELOPE' | 'E_MANIFEST' | 'E_SOURCE' | 'E_ARGUMENT';

export class FormatError extends BeeldpoortError {
  declare readonly code: FormatErrorCode;

  constructor(code: FormatErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
