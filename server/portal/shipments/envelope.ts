/**
 * Shape checks on the opaque envelope. The portal cannot decrypt it (only the worker holds the key), but it
 * refuses anything that is not a general JSON JWE (RFC 7516 §7.2.1): compact strings, missing members,
 * oversized text, and a protected header with `zip` (CVE-2024-28176: compressed JWE as a memory bomb).
 */
import { PortalError } from '../errors.ts';

export const MAX_ENVELOPE_BYTES = 8 * 1024 * 1024;
const B64URL = /^[A-Za-z0-9_-]*$/;

function b64urlMember(value: unknown, name: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || !B64URL.test(value)) throw new PortalError('E_ENVELOPE_INVALID', `envelope.${name} must be base64url text`);
}

/** Validates and returns the envelope as the exact JSON text to store and hand to the worker. */
export function checkEnvelope(envelope: unknown): string {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    throw new PortalError('E_ENVELOPE_INVALID', 'envelope must be a JWE in general JSON serialization (an object), not a compact string');
  }
  const jwe = envelope as Record<string, unknown>;
  b64urlMember(jwe.protected, 'protected', true);
  b64urlMember(jwe.iv, 'iv', true);
  b64urlMember(jwe.ciphertext, 'ciphertext', true);
  b64urlMember(jwe.tag, 'tag', true);
  b64urlMember(jwe.aad, 'aad', false);
  if (!Array.isArray(jwe.recipients) || jwe.recipients.length === 0 || jwe.recipients.length > 16) {
    throw new PortalError('E_ENVELOPE_INVALID', 'envelope.recipients must list 1 to 16 recipients');
  }
  for (const recipient of jwe.recipients as unknown[]) {
    if (typeof recipient !== 'object' || recipient === null) throw new PortalError('E_ENVELOPE_INVALID', 'each envelope recipient must be an object');
    b64urlMember((recipient as Record<string, unknown>).encrypted_key, 'recipients[].encrypted_key', false);
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(jwe.protected as string, 'base64url').toString('utf8'));
  } catch {
    throw new PortalError('E_ENVELOPE_INVALID', 'envelope.protected is not a base64url JSON header');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new PortalError('E_ENVELOPE_INVALID', 'envelope.protected is not a JSON object');
  const h = header as Record<string, unknown>;
  if ('zip' in h) throw new PortalError('E_ENVELOPE_INVALID', 'compressed JWE (zip) is refused');
  if (typeof h.enc !== 'string') throw new PortalError('E_ENVELOPE_INVALID', 'envelope.protected has no enc');
  const text = JSON.stringify(envelope);
  if (Buffer.byteLength(text) > MAX_ENVELOPE_BYTES) throw new PortalError('E_ENVELOPE_INVALID', `envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`);
  return text;
}
