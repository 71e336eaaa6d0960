/**
 * The envelope: the shipment secret and the manifest, encrypted to the institution key (and optionally to an
 * escrow key) as a JWE in the general JSON serialization (RFC 7516 §7.2.1), alg ECDH-ES+A256KW (RFC 7518 §4.6),
 * enc A256GCM. Exactly that shape is accepted when opening: no compact form, no other algorithm ("none",
 * "dir", RSA, PBES2 are all refused), no "zip" (CVE-2024-28176: a decompression bomb inside a JWE), no "crit".
 */
import { GeneralEncrypt, generalDecrypt, importJWK, type GeneralJWE, type JWK } from 'jose';
import { fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import { FormatError } from './errors.ts';
import { assertSecret } from './ids.ts';
import { KEY_ALG, assertPublicJwk } from './keys.ts';
import type { Manifest } from './manifest.ts';
import { validateManifest } from './validate-manifest.ts';

export const CONTENT_ENC = 'A256GCM';
/** JWE "typ" (RFC 7516 §4.1.11): names what the envelope is, so it cannot be mistaken for another JWE. */
export const ENVELOPE_TYP = 'beeldpoort-envelope+jwe';
/** An envelope larger than this is refused before any crypto (a manifest of 100 000 files stays well below). */
export const MAX_ENVELOPE_CHARS = 64 * 1024 * 1024;
const MAX_RECIPIENTS = 4;

export interface EnvelopeContents {
  readonly secret: Uint8Array;
  readonly manifest: Manifest;
}

const envelopeError = (message: string, cause?: unknown): FormatError =>
  new FormatError('E_ENVELOPE', message, cause === undefined ? undefined : { cause });

export async function sealEnvelope({ secret, manifest }: EnvelopeContents, recipients: readonly JWK[]): Promise<GeneralJWE> {
  assertSecret(secret);
  validateManifest(manifest);
  if (recipients.length < 1 || recipients.length > MAX_RECIPIENTS) {
    throw new FormatError('E_ARGUMENT', `an envelope has 1..${MAX_RECIPIENTS} recipients`);
  }
  const payload = utf8(JSON.stringify({ v: 1, secret: toBase64Url(secret), manifest }));
  const jwe = new GeneralEncrypt(payload).setProtectedHeader({ enc: CONTENT_ENC, typ: ENVELOPE_TYP });
  for (const [i, jwk] of recipients.entries()) {
    assertPublicJwk(jwk, `recipients[${i}]`);
    const key = await importJWK({ ...jwk, alg: KEY_ALG }, KEY_ALG);
    jwe.addRecipient(key).setUnprotectedHeader({ alg: KEY_ALG, ...(jwk.kid ? { kid: jwk.kid } : {}) });
  }
  return jwe.encrypt();
}

function parseHeader(encoded: unknown, what: string): Record<string, unknown> {
  try {
    const header: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(String(encoded))));
    if (typeof header === 'object' && header !== null && !Array.isArray(header)) return header as Record<string, unknown>;
  } catch (cause) {
    throw envelopeError(`${what} is not a base64url JSON object`, cause);
  }
  throw envelopeError(`${what} is not a base64url JSON object`);
}

/** Checks the one shape we accept before jose sees it: cheap refusals first, no decompression ever. */
function checkShape(envelope: unknown): GeneralJWE {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    throw envelopeError('envelope must be a JWE in the general JSON serialization (an object)');
  }
  const jwe = envelope as Record<string, unknown>;
  const allowed = new Set(['protected', 'unprotected', 'recipients', 'iv', 'ciphertext', 'tag']);
  for (const key of Object.keys(jwe)) if (!allowed.has(key)) throw envelopeError(`envelope member "${key}" is not accepted`);
  for (const key of ['protected', 'iv', 'ciphertext', 'tag']) {
    if (typeof jwe[key] !== 'string') throw envelopeError(`envelope member "${key}" must be a string`);
  }
  if ((jwe.ciphertext as string).length > MAX_ENVELOPE_CHARS) throw envelopeError('envelope too large');
  if (!Array.isArray(jwe.recipients) || jwe.recipients.length < 1 || jwe.recipients.length > MAX_RECIPIENTS) {
    throw envelopeError(`envelope must have 1..${MAX_RECIPIENTS} recipients`);
  }
  const headers = [parseHeader(jwe.protected, 'protected header')];
  if (jwe.unprotected !== undefined) headers.push(jwe.unprotected as Record<string, unknown>);
  if (headers[0]!.enc !== CONTENT_ENC || headers[0]!.typ !== ENVELOPE_TYP) {
    throw envelopeError(`protected header must say enc ${CONTENT_ENC} and typ ${ENVELOPE_TYP}`);
  }
  for (const recipient of jwe.recipients as unknown[]) {
    const header = (recipient as { header?: unknown } | null)?.header;
    if (typeof header !== 'object' || header === null) throw envelopeError('every recipient needs a header');
    if ((header as Record<string, unknown>).alg !== KEY_ALG) throw envelopeError(`recipient alg must be ${KEY_ALG}`);
    headers.push(header as Record<string, unknown>);
  }
  for (const header of headers) {
    if (typeof header !== 'object' || header === null) throw envelopeError('header must be an object');
    if ('zip' in header) throw envelopeError('"zip" (compression) is not accepted');
    if ('crit' in header) throw envelopeError('"crit" is not accepted');
  }
  return envelope as GeneralJWE;
}

export async function openEnvelope(envelope: unknown, privateJwk: JWK): Promise<EnvelopeContents> {
  const jwe = checkShape(envelope);
  let plaintext: Uint8Array;
  try {
    const key = await importJWK({ ...privateJwk, alg: KEY_ALG }, KEY_ALG);
    ({ plaintext } = await generalDecrypt(jwe, key, {
      keyManagementAlgorithms: [KEY_ALG],
      contentEncryptionAlgorithms: [CONTENT_ENC],
    }));
  } catch (cause) {
    throw envelopeError('cannot open the envelope with this key', cause);
  }
  let payload: { v?: unknown; secret?: unknown; manifest?: unknown };
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch (cause) {
    throw envelopeError('envelope payload is not JSON', cause);
  }
  if (payload?.v !== 1 || typeof payload.secret !== 'string') throw envelopeError('envelope payload is not version 1');
  let secret: Uint8Array;
  try {
    secret = fromBase64Url(payload.secret);
  } catch (cause) {
    throw envelopeError('envelope secret is not base64url', cause);
  }
  if (secret.length !== 32) throw envelopeError('envelope secret must be 32 octets');
  return { secret, manifest: validateManifest(payload.manifest) };
}
