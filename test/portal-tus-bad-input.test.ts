// Every bad tus request from the list: a clear 4xx with a stable code, and nothing created or changed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeEnvelope, startTestPortal, type TestPortal } from './helpers/portal.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const META = `shipmentId ${b64('s1')},fileId ${b64('f1')}`;
const SIZE = 1000;

describe('tus endpoint refuses bad input', () => {
  let tp: TestPortal;
  let token: string;
  let uploadUrl: string;
  const uploadsDir = () => path.join(tp.dataDir, 'uploads');
  const uploadFiles = () => readdirSync(uploadsDir()).sort();

  before(async () => {
    tp = await startTestPortal();
    token = (await tp.createLink()).token;
    const envelope = await makeEnvelope((await request(tp.server).get('/api/sender/link').auth(token, { type: 'bearer' })).body.publicKey);
    await request(tp.server).post('/api/sender/shipments').auth(token, { type: 'bearer' })
      .send({ shipmentId: 's1', envelope, files: [{ fileId: 'f1', size: SIZE }, { fileId: 'f2', size: SIZE }] }).expect(201);
    const created = await post().set('Upload-Length', String(SIZE)).set('Upload-Metadata', META).expect(201);
    uploadUrl = new URL(created.headers.location!, tp.url).pathname;
  });
  after(() => tp.stop());

  function post() {
    return request(tp.server).post('/uploads/').auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0');
  }
  async function refused(req: request.Test, status: number, code: string): Promise<void> {
    const before = uploadFiles();
    const res = await req;
    assert.equal(res.status, status, res.text);
    assert.equal(JSON.parse(res.text).error.code, code);
    assert.deepEqual(uploadFiles(), before, 'nothing created or removed');
  }
  const createWith = (headers: Record<string, string>) => {
    let req = request(tp.server).post('/uploads/').auth(token, { type: 'bearer' });
    for (const [name, value] of Object.entries({ 'Tus-Resumable': '1.0.0', 'Upload-Length': String(SIZE), 'Upload-Metadata': `shipmentId ${b64('s1')},fileId ${b64('f2')}`, ...headers })) {
      if (value !== '') req = req.set(name, value);
    }
    return req;
  };

  test('missing Tus-Resumable', () => refused(createWith({ 'Tus-Resumable': '' }), 412, 'E_TUS_VERSION'));
  test('wrong Tus-Resumable', () => refused(createWith({ 'Tus-Resumable': '0.2.2' }), 412, 'E_TUS_VERSION'));
  test('negative Upload-Length', () => refused(createWith({ 'Upload-Length': '-1' }), 400, 'E_TUS_LENGTH'));
  test('non-numeric Upload-Length', () => refused(createWith({ 'Upload-Length': 'abc' }), 400, 'E_TUS_LENGTH'));
  test('float and hex Upload-Length', async () => {
    await refused(createWith({ 'Upload-Length': '1.5' }), 400, 'E_TUS_LENGTH');
    await refused(createWith({ 'Upload-Length': '0x10' }), 400, 'E_TUS_LENGTH');
  });
  test('huge Upload-Length (2^63)', () => refused(createWith({ 'Upload-Length': '9223372036854775808' }), 400, 'E_TUS_LENGTH'));
  test('Upload-Length other than the declared ciphertext size', () => refused(createWith({ 'Upload-Length': String(SIZE + 1) }), 400, 'E_TUS_LENGTH'));
  test('Upload-Concat (partial and final)', async () => {
    await refused(createWith({ 'Upload-Concat': 'partial' }), 400, 'E_TUS_CONCAT');
    await refused(createWith({ 'Upload-Concat': 'final;/uploads/..%2F..%2Fportal.sqlite /uploads/x' }), 400, 'E_TUS_CONCAT');
  });
  test('Upload-Defer-Length', () => refused(createWith({ 'Upload-Length': '', 'Upload-Defer-Length': '1' }), 400, 'E_TUS_DEFER_LENGTH'));
  test('malformed Upload-Metadata: not base64', () => refused(createWith({ 'Upload-Metadata': 'shipmentId !!!,fileId ***' }), 400, 'E_TUS_METADATA'));
  test('Upload-Metadata with other keys (a file name in clear)', () =>
    refused(createWith({ 'Upload-Metadata': `shipmentId ${b64('s1')},fileId ${b64('f2')},filename ${b64('CT.dcm')}` }), 400, 'E_TUS_METADATA'));
  test('Upload-Metadata with a repeated key', () =>
    refused(createWith({ 'Upload-Metadata': `shipmentId ${b64('s1')},shipmentId ${b64('s1')}` }), 400, 'E_TUS_METADATA'));
  test('Upload-Metadata values with HTML or path content', async () => {
    await refused(createWith({ 'Upload-Metadata': `shipmentId ${b64('<script>alert(1)</script>')},fileId ${b64('f2')}` }), 400, 'E_TUS_METADATA');
    await refused(createWith({ 'Upload-Metadata': `shipmentId ${b64('s1')},fileId ${b64('../../etc')}` }), 400, 'E_TUS_METADATA');
  });
  test('oversized Upload-Metadata', () => refused(createWith({ 'Upload-Metadata': `shipmentId ${b64('x'.repeat(6000))},fileId ${b64('f2')}` }), 400, 'E_TUS_METADATA'));
  test('missing Upload-Metadata', () => refused(createWith({ 'Upload-Metadata': '' }), 400, 'E_TUS_METADATA'));
  test('a file the shipment did not declare', () =>
    refused(createWith({ 'Upload-Metadata': `shipmentId ${b64('s1')},fileId ${b64('nope')}` }), 400, 'E_FILE_UNKNOWN'));

  for (const [name, id] of [
    ['encoded ../ (..%2F)', '..%2F..%2Fportal.sqlite'],
    ['encoded dots (%2e%2e)', '%2e%2e'],
    ['a backslash', '..%5C..%5Cportal.sqlite'],
    ['NUL', `${'a'.repeat(31)}%00`],
    ['an overlong id', 'a'.repeat(300)],
    ['upper-case look-alike of a real id', 'A'.repeat(32)],
  ] as const) {
    test(`upload id with ${name} answers 404 and touches nothing`, async () => {
      const dbBefore = statSync(path.join(tp.dataDir, 'portal.sqlite')).size;
      const head = await request(tp.server).head(`/uploads/${id}`).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0');
      assert.equal(head.status, 404); // HEAD answers carry no body, so only the status can be checked
      await refused(request(tp.server).patch(`/uploads/${id}`).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0')
        .set('Upload-Offset', '0').set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(10)), 404, 'E_UPLOAD_NOT_FOUND');
      assert.equal(statSync(path.join(tp.dataDir, 'portal.sqlite')).size, dbBefore);
    });
  }

  test('X-HTTP-Method-Override on POST (to DELETE) is refused', () =>
    refused(createWith({ 'X-HTTP-Method-Override': 'DELETE' }), 400, 'E_TUS_METHOD_OVERRIDE'));
  test('X-HTTP-Method-Override on GET (to PATCH) is refused', () =>
    refused(request(tp.server).get(uploadUrl).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('X-HTTP-Method-Override', 'PATCH'), 400, 'E_TUS_METHOD_OVERRIDE'));
  test('GET of an upload never serves the stored bytes', () => refused(request(tp.server).get(uploadUrl).auth(token, { type: 'bearer' }), 404, 'E_NOT_FOUND'));
  test('DELETE (termination) is not offered', () => refused(request(tp.server).delete(uploadUrl).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0'), 405, 'E_METHOD_NOT_ALLOWED'));
  test('PATCH at the wrong offset', () =>
    refused(request(tp.server).patch(uploadUrl).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Offset', '5')
      .set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(10)), 409, 'E_TUS_OFFSET'));
  test('PATCH with a negative offset', () =>
    refused(request(tp.server).patch(uploadUrl).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Offset', '-1')
      .set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(10)), 409, 'E_TUS_OFFSET'));
  test('PATCH with the wrong Content-Type', () =>
    refused(request(tp.server).patch(uploadUrl).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Offset', '0')
      .set('Content-Type', 'application/json').send('{}'), 415, 'E_TUS_CONTENT_TYPE'));
  test('a body longer than Upload-Length is never stored past the declared size', async () => {
    const res = await request(tp.server).patch(uploadUrl).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Offset', '0')
      .set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(SIZE + 500, 7));
    assert.equal(res.status, 413, res.text);
    assert.equal(JSON.parse(res.text).error.code, 'E_UPLOAD_TOO_LARGE');
    assert.ok(statSync(path.join(uploadsDir(), path.basename(uploadUrl))).size <= SIZE);
  });
  test('HEAD answers Cache-Control: no-store and the CORS origin is our own, never *', async () => {
    const res = await request(tp.server).head(uploadUrl).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Origin', 'https://evil.example');
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['access-control-allow-origin'], tp.url);
  });
});
