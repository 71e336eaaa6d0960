// Link tokens per RFC 8725: every forgery and misuse answered 401/403 with a stable code, and audited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CompactEncrypt, SignJWT, importJWK, type JWK } from 'jose';
import request from 'supertest';
import { keyPaths } from '../server/portal/keys/key-files.ts';
import { makeEnvelope, startTestPortal, type TestPortal } from './helpers/portal.ts';

describe('link tokens', () => {
  let tp: TestPortal;
  let now = Date.now();
  let token: string;
  let linkId: string;
  const signingJwk = () => JSON.parse(readFileSync(keyPaths(tp.dataDir).linkSigning, 'utf8')) as JWK;
  const get = (bearer: string) => request(tp.server).get('/api/sender/link').set('Authorization', `Bearer ${bearer}`);
  async function rejected(bearer: string, status: number, code: string) {
    const res = await get(bearer);
    assert.equal(res.status, status, res.text);
    assert.equal(res.body.error.code, code);
  }
  async function signed(header: Record<string, unknown>, claims: Record<string, unknown>) {
    const key = await importJWK(signingJwk(), 'EdDSA');
    return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', ...header }).sign(key);
  }
  const goodClaims = () => ({ iss: tp.url, aud: 'upload', jti: linkId, iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 3600 });

  before(async () => {
    tp = await startTestPortal({ now: () => now });
    const link = await tp.createLink({ purpose: 'consult', expires: '1d' });
    token = link.token;
    linkId = link.id;
  });
  after(() => tp.stop());

  test('a genuine token opens the link', async () => {
    assert.equal((await get(token)).status, 200);
  });
  test('no token', async () => {
    const res = await request(tp.server).get('/api/sender/link');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'E_TOKEN_MISSING');
  });
  test('forged signature', () => rejected(`${token.slice(0, -4)}AAAA`, 401, 'E_TOKEN_INVALID'));
  test('alg none', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    await rejected(`${enc({ alg: 'none', typ: 'beeldpoort-link+jwt' })}.${enc(goodClaims())}.`, 401, 'E_TOKEN_INVALID');
  });
  test('HS256 signed with the public key as secret (algorithm confusion)', async () => {
    const { d: _d, ...publicJwk } = signingJwk();
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const forged = await new SignJWT(goodClaims()).setProtectedHeader({ alg: 'HS256', typ: 'beeldpoort-link+jwt' }).sign(secret);
    await rejected(forged, 401, 'E_TOKEN_INVALID');
    const forgedX = await new SignJWT(goodClaims()).setProtectedHeader({ alg: 'HS256', typ: 'beeldpoort-link+jwt' }).sign(new Uint8Array(Buffer.from(publicJwk.x!, 'base64url')));
    await rejected(forgedX, 401, 'E_TOKEN_INVALID');
  });
  test('wrong audience', async () => rejected(await signed({ typ: 'beeldpoort-link+jwt' }, { ...goodClaims(), aud: 'download' }), 401, 'E_TOKEN_INVALID'));
  test('wrong issuer', async () => rejected(await signed({ typ: 'beeldpoort-link+jwt' }, { ...goodClaims(), iss: 'https://evil.example' }), 401, 'E_TOKEN_INVALID'));
  test('wrong typ (a plain JWT)', async () => rejected(await signed({ typ: 'JWT' }, goodClaims()), 401, 'E_TOKEN_INVALID'));
  test('missing typ', async () => rejected(await signed({}, goodClaims()), 401, 'E_TOKEN_INVALID'));
  test('unknown link id', async () => rejected(await signed({ typ: 'beeldpoort-link+jwt' }, { ...goodClaims(), jti: 'nope' }), 401, 'E_TOKEN_INVALID'));
  test('a JWE where a JWS is expected', async () => {
    const publicKey = await importJWK(JSON.parse(readFileSync(keyPaths(tp.dataDir).institutionPublic, 'utf8')), 'ECDH-ES');
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(goodClaims()))).setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM' }).encrypt(publicKey);
    await rejected(jwe, 401, 'E_TOKEN_INVALID');
  });
  test('an oversized token is refused before parsing', () => rejected(`${'a'.repeat(5000)}.${'b'.repeat(5000)}.c`, 401, 'E_TOKEN_INVALID'));
  test('expired token (signature still valid)', async () => rejected(await signed({ typ: 'beeldpoort-link+jwt' }, { ...goodClaims(), exp: Math.floor(now / 1000) - 3600 }), 401, 'E_LINK_EXPIRED'));
  test('link expired in the database while the clock moves on', async () => {
    const saved = now;
    now += 2 * 86_400_000;
    try {
      await rejected(token, 401, 'E_LINK_EXPIRED');
    } finally {
      now = saved;
    }
  });
  test("link A's token on link B's upload and shipment answers 404", async () => {
    const b = await tp.createLink();
    const envelope = await makeEnvelope((await get(b.token)).body.publicKey);
    await request(tp.server).post('/api/sender/shipments').auth(b.token, { type: 'bearer' }).send({ shipmentId: 'b-ship', envelope, files: [{ fileId: 'f', size: 10 }] }).expect(201);
    const created = await request(tp.server).post('/uploads/').auth(b.token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Length', '10')
      .set('Upload-Metadata', `shipmentId ${Buffer.from('b-ship').toString('base64')},fileId ${Buffer.from('f').toString('base64')}`).expect(201);
    const uploadPath = new URL(created.headers.location!, tp.url).pathname;
    const head = await request(tp.server).head(uploadPath).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0');
    assert.equal(head.status, 404);
    const patch = await request(tp.server).patch(uploadPath).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Offset', '0')
      .set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(10));
    assert.equal(patch.status, 404);
    assert.equal(JSON.parse(patch.text).error.code, 'E_UPLOAD_NOT_FOUND');
    const view = await request(tp.server).get('/api/sender/shipments/b-ship').auth(token, { type: 'bearer' });
    assert.equal(view.status, 404);
    assert.equal(view.body.error.code, 'E_SHIPMENT_NOT_FOUND');
    const post = await request(tp.server).post('/uploads/').auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Length', '10')
      .set('Upload-Metadata', `shipmentId ${Buffer.from('b-ship').toString('base64')},fileId ${Buffer.from('f').toString('base64')}`);
    assert.equal(post.status, 404);
    assert.equal(JSON.parse(post.text).error.code, 'E_SHIPMENT_NOT_FOUND');
  });
  test('a token verified once stops at its own exp, though its link row is still valid (the verified-token memory never outlives exp)', async () => {
    const shortLived = await signed({ typ: 'beeldpoort-link+jwt' }, { ...goodClaims(), exp: Math.floor(now / 1000) + 60 });
    assert.equal((await get(shortLived)).status, 200);
    assert.equal((await get(shortLived)).status, 200, 'remembered');
    const saved = now;
    now += 120_000; // past exp + jose's 30 s tolerance; the link row (1 day) is still valid
    try {
      await rejected(shortLived, 401, 'E_LINK_EXPIRED');
      assert.equal((await get(token)).status, 200, 'the link itself still works');
    } finally {
      now = saved;
    }
  });
  test('revocation takes effect on the next request', async () => {
    const c = await tp.createLink();
    assert.equal((await get(c.token)).status, 200);
    assert.equal((await get(c.token)).status, 200, 'its signature is now remembered as verified');
    tp.revokeLink(c.id);
    await rejected(c.token, 403, 'E_LINK_REVOKED');
  });
  test('rejections are audited', () => {
    const rejections = [...tp.portal.ctx.stores.audit.all()].filter((r) => r.action === 'token.rejected');
    assert.ok(rejections.length >= 5);
    assert.ok(rejections.every((r) => r.ip !== null && typeof r.details?.code === 'string'));
  });
});

test('repeated token failures from one address are rate limited (429), and the audit is not flooded', async (t) => {
  const tp = await startTestPortal({ tokenFailureLimit: 5 });
  t.after(() => tp.stop());
  const good = (await tp.createLink()).token;
  for (let i = 0; i < 5; i++) {
    const res = await request(tp.server).get('/api/sender/link').set('Authorization', `Bearer ${good.slice(0, -3)}xyz`);
    assert.equal(res.status, 401);
  }
  const blocked = await request(tp.server).get('/api/sender/link').set('Authorization', `Bearer ${good}`);
  assert.equal(blocked.status, 429);
  assert.equal(blocked.body.error.code, 'E_RATE_LIMITED');
  assert.ok(blocked.headers['retry-after']);
  for (let i = 0; i < 20; i++) await request(tp.server).get('/api/sender/link').set('Authorization', 'Bearer x.y.z');
  const audited = [...tp.portal.ctx.stores.audit.all()].filter((r) => r.action === 'token.rejected').length;
  assert.ok(audited <= 5, `audited ${audited}`);
});

test('the audited client address is the socket peer, or X-Forwarded-For only when the proxy is trusted', async (t) => {
  const direct = await startTestPortal();
  t.after(() => direct.stop());
  const proxied = await startTestPortal({ env: { BEELDPOORT_TRUST_PROXY: 'loopback' } });
  t.after(() => proxied.stop());
  for (const tp of [direct, proxied]) {
    await request(tp.server).get('/api/sender/link').set('Authorization', 'Bearer a.b.c').set('X-Forwarded-For', '203.0.113.7').expect(401);
  }
  const ipOf = (tp: TestPortal) => [...tp.portal.ctx.stores.audit.all()].find((r) => r.action === 'token.rejected')!.ip;
  assert.match(ipOf(direct)!, /127\.0\.0\.1$/, 'a forged header is ignored by default');
  assert.equal(ipOf(proxied), '203.0.113.7');
});
