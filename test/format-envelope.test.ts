// The JWE envelope: round trip to the institution key and to an escrow key, and the refusals the issue names
// (wrong key, tampered protected header, "none" and other algorithms, a "zip" header, compact serialization).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompactEncrypt, FlattenedEncrypt, GeneralEncrypt, generateKeyPair, exportJWK, importJWK, type GeneralJWE, type JWK } from 'jose';
import { FormatError, generateInstitutionKeyPair, keyFingerprint, newShipmentSecret, openEnvelope, sealEnvelope } from '../shared/format/index.ts';
import { sampleManifest } from '../shared/format/testdata/sample-manifest.ts';

const institution = await generateInstitutionKeyPair();
const escrow = await generateInstitutionKeyPair();
const stranger = await generateInstitutionKeyPair();
const manifest = sampleManifest('shp-envelope');
const secret = newShipmentSecret();
const sealed = await sealEnvelope({ secret, manifest }, [institution.publicJwk, escrow.publicJwk]);

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const fromB64 = (text: string): Record<string, unknown> => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
const clone = (jwe: GeneralJWE): GeneralJWE => structuredClone(jwe);

async function rejectsEnvelope(envelope: unknown, key: JWK = institution.privateJwk): Promise<FormatError> {
  let caught: unknown;
  await openEnvelope(envelope, key).catch((e: unknown) => (caught = e));
  assert.ok(caught instanceof FormatError, `expected FormatError, got ${String(caught)}`);
  assert.equal(caught.code, 'E_ENVELOPE');
  return caught;
}

test('the institution key and the escrow key both open the envelope to the same secret and manifest', async () => {
  for (const key of [institution.privateJwk, escrow.privateJwk]) {
    const opened = await openEnvelope(JSON.parse(JSON.stringify(sealed)), key);
    assert.deepEqual(opened.secret, secret);
    assert.deepEqual(opened.manifest, manifest);
  }
  assert.equal(sealed.recipients.length, 2);
  assert.equal(sealed.recipients[0]!.header?.kid, institution.publicJwk.kid);
  assert.equal(sealed.recipients[0]!.header?.alg, 'ECDH-ES+A256KW');
  assert.deepEqual(fromB64(sealed.protected!), { enc: 'A256GCM', typ: 'beeldpoort-envelope+jwe' });
});

test('the portal-visible parts of the envelope carry no patient data', () => {
  const visible = JSON.stringify({ protected: fromB64(sealed.protected!), recipients: sealed.recipients.map((r) => r.header) });
  for (const secretWord of ['Jansen', 'P-0001', 'CT thorax', 'I0001', '1.2.826']) assert.ok(!visible.includes(secretWord), secretWord);
  assert.ok(!JSON.stringify(sealed).includes('Jansen'));
});

test('wrong institution key: rejected', async () => {
  await rejectsEnvelope(sealed, stranger.privateJwk);
});

test('tampered protected header: rejected', async () => {
  const jwe = clone(sealed);
  jwe.protected = b64({ ...fromB64(sealed.protected!), typ: 'beeldpoort-envelope+jwe', cty: 'x' });
  await rejectsEnvelope(jwe);
});

test('tampered ciphertext, tag, iv or encrypted key: rejected', async () => {
  for (const field of ['ciphertext', 'tag', 'iv'] as const) {
    const jwe = clone(sealed);
    jwe[field] = (jwe[field]!.startsWith('A') ? 'B' : 'A') + jwe[field]!.slice(1);
    await rejectsEnvelope(jwe);
  }
  const jwe = clone(sealed);
  jwe.recipients = [{ ...jwe.recipients[0]!, encrypted_key: 'A' + jwe.recipients[0]!.encrypted_key!.slice(1) }];
  await rejectsEnvelope(jwe);
});

test('alg "none", "dir" and other key management algorithms: rejected', async () => {
  for (const alg of ['none', 'dir', 'ECDH-ES', 'RSA-OAEP-256', 'PBES2-HS512+A256KW', 'A256KW']) {
    const jwe = clone(sealed);
    jwe.recipients = jwe.recipients.map((r) => ({ ...r, header: { ...r.header, alg } }));
    const error = await rejectsEnvelope(jwe);
    assert.match(error.message, /alg/);
  }
});

test('an envelope really made with another algorithm (ECDH-ES direct, A128GCM) is rejected', async () => {
  const key = await importJWK(institution.publicJwk, 'ECDH-ES');
  const direct = await new GeneralEncrypt(new TextEncoder().encode('{}'))
    .setProtectedHeader({ enc: 'A256GCM', typ: 'beeldpoort-envelope+jwe' })
    .addRecipient(key)
    .setUnprotectedHeader({ alg: 'ECDH-ES' })
    .encrypt();
  await rejectsEnvelope(direct);
  const key2 = await importJWK(institution.publicJwk, 'ECDH-ES+A256KW');
  const a128 = await new GeneralEncrypt(new TextEncoder().encode('{}'))
    .setProtectedHeader({ enc: 'A128GCM', typ: 'beeldpoort-envelope+jwe' })
    .addRecipient(key2)
    .setUnprotectedHeader({ alg: 'ECDH-ES+A256KW' })
    .encrypt();
  await rejectsEnvelope(a128);
});

test('a "zip" header (protected, shared or per recipient) is rejected before decompression', async () => {
  const inProtected = clone(sealed);
  inProtected.protected = b64({ ...fromB64(sealed.protected!), zip: 'DEF' });
  assert.match((await rejectsEnvelope(inProtected)).message, /zip/);
  const shared = { ...clone(sealed), unprotected: { zip: 'DEF' } };
  assert.match((await rejectsEnvelope(shared)).message, /zip/);
  const perRecipient = clone(sealed);
  perRecipient.recipients[0]!.header = { ...perRecipient.recipients[0]!.header, zip: 'DEF' } as typeof perRecipient.recipients[0]['header'];
  assert.match((await rejectsEnvelope(perRecipient)).message, /zip/);
});

test('a genuinely compressed JWE made by jose with zip DEF is rejected', async () => {
  const key = await importJWK(institution.publicJwk, 'ECDH-ES+A256KW');
  const zipped = await new FlattenedEncrypt(new TextEncoder().encode('{"v":1}'))
    .setProtectedHeader({ enc: 'A256GCM', typ: 'beeldpoort-envelope+jwe', zip: 'DEF', alg: 'ECDH-ES+A256KW' })
    .encrypt(key)
    .catch(() => undefined);
  // jose 6 may refuse to produce zip itself; either way a general JWE claiming zip must be refused.
  const general = zipped
    ? { protected: zipped.protected, iv: zipped.iv, ciphertext: zipped.ciphertext, tag: zipped.tag, recipients: [{ encrypted_key: zipped.encrypted_key, header: {} }] }
    : { ...clone(sealed), protected: b64({ enc: 'A256GCM', typ: 'beeldpoort-envelope+jwe', zip: 'DEF' }) };
  await rejectsEnvelope(general);
});

test('compact and flattened serializations, non-objects and unknown members are rejected', async () => {
  const key = await importJWK(institution.publicJwk, 'ECDH-ES+A256KW');
  const compact = await new CompactEncrypt(new TextEncoder().encode('{}')).setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' }).encrypt(key);
  await rejectsEnvelope(compact);
  const flattened = await new FlattenedEncrypt(new TextEncoder().encode('{}')).setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', typ: 'beeldpoort-envelope+jwe' }).encrypt(key);
  await rejectsEnvelope(flattened);
  for (const junk of [null, 42, [], 'x', { ...sealed, aad: 'eA' }, { ...sealed, recipients: [] }]) await rejectsEnvelope(junk);
  const crit = clone(sealed);
  crit.protected = b64({ ...fromB64(sealed.protected!), crit: ['exp'] });
  await rejectsEnvelope(crit);
});

test('a valid JWE whose payload is not our v1 payload, or whose manifest is invalid, is refused with the right code', async () => {
  const key = await importJWK(institution.publicJwk, 'ECDH-ES+A256KW');
  const make = (payload: unknown) =>
    new GeneralEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ enc: 'A256GCM', typ: 'beeldpoort-envelope+jwe' })
      .addRecipient(key)
      .setUnprotectedHeader({ alg: 'ECDH-ES+A256KW' })
      .encrypt();
  await rejectsEnvelope(await make({ v: 2, secret: 'AAAA', manifest }));
  await rejectsEnvelope(await make({ v: 1, secret: Buffer.alloc(16).toString('base64url'), manifest }));
  await assert.rejects(
    openEnvelope(await make({ v: 1, secret: Buffer.from(secret).toString('base64url'), manifest: { ...manifest, purpose: 'x' } }), institution.privateJwk),
    (e: unknown) => e instanceof FormatError && e.code === 'E_MANIFEST' && /manifest\.purpose/.test(e.message),
  );
});

test('sealing refuses private keys, other key types and an invalid manifest', async () => {
  await assert.rejects(sealEnvelope({ secret, manifest }, [institution.privateJwk]), { code: 'E_ARGUMENT' });
  const rsa = await exportJWK((await generateKeyPair('RSA-OAEP-256', { extractable: true })).publicKey);
  await assert.rejects(sealEnvelope({ secret, manifest }, [rsa]), { code: 'E_ARGUMENT' });
  await assert.rejects(sealEnvelope({ secret, manifest }, []), { code: 'E_ARGUMENT' });
  await assert.rejects(sealEnvelope({ secret, manifest: { ...manifest, version: 3 } as never }, [institution.publicJwk]), { code: 'E_MANIFEST' });
});

test('a P-256 institution key works too (for a browser without X25519)', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
  const pub = await exportJWK(publicKey);
  const envelope = await sealEnvelope({ secret, manifest }, [pub]);
  assert.deepEqual((await openEnvelope(envelope, await exportJWK(privateKey))).secret, secret);
});

test('institution keys: X25519 with kid = RFC 7638 thumbprint, fingerprint in 16 groups of 4 hex digits', async () => {
  assert.equal(institution.publicJwk.kty, 'OKP');
  assert.equal(institution.publicJwk.crv, 'X25519');
  assert.equal(institution.publicJwk.d, undefined);
  assert.equal(typeof institution.privateJwk.d, 'string');
  assert.equal(institution.publicJwk.kid, institution.privateJwk.kid);
  const fingerprint = await keyFingerprint(institution.publicJwk);
  assert.match(fingerprint, /^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
  const kidHex = Buffer.from(institution.publicJwk.kid!, 'base64url').toString('hex').toUpperCase();
  assert.equal(fingerprint.replace(/ /g, ''), kidHex);
  assert.notEqual(fingerprint, await keyFingerprint(escrow.publicJwk));
  await assert.rejects(keyFingerprint(institution.privateJwk), { code: 'E_ARGUMENT' });
});
