// Bundles on the portal (docs/format.md "Uploads and bundles (manifest v2)"): an upload may carry several manifest
// files (`parts`); creation validates them, reports and outcome counts are per manifest file, the lease lists the
// parts, the receiver sees one row per manifest file, and a slice of a bundle downloads exactly (Range, 206).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { MAX_FILES } from '../server/portal/shipments/shipment-request.ts';
import { readShipmentReport } from '../server/send/shipment-report.ts';
import { makeEnvelope, startTestPortal, type TestPortal } from './helpers/portal.ts';

const PASSWORD = 'correct horse battery';

describe('bundled shipments', () => {
  let tp: TestPortal;
  let envelope: object;
  before(async () => {
    tp = await startTestPortal();
    const probe = await tp.createLink();
    envelope = await makeEnvelope((await request(tp.server).get('/api/sender/link').auth(probe.token, { type: 'bearer' })).body.publicKey);
    await tp.addUser('rad@hospital.nl', PASSWORD);
  });
  after(() => tp.stop());

  const create = (token: string, body: object) => request(tp.server).post('/api/sender/shipments').auth(token, { type: 'bearer' }).send(body);
  const view = (token: string, id: string) => request(tp.server).get(`/api/sender/shipments/${id}`).auth(token, { type: 'bearer' });
  const worker = (path: string, body: object = {}) => request(tp.server).post(`/api/worker${path}`).auth(tp.workerCredential, { type: 'bearer' }).send(body);
  async function upload(token: string, shipmentId: string, fileId: string, data: Buffer): Promise<void> {
    await request(tp.server).post('/uploads/').auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Length', String(data.length))
      .set('Upload-Metadata', `shipmentId ${Buffer.from(shipmentId).toString('base64')},fileId ${Buffer.from(fileId).toString('base64')}`)
      .set('Content-Type', 'application/offset+octet-stream').send(data).expect(201);
  }
  /** A complete, leased shipment: bundle b1 carries a,b,c; lone upload d; bundle e carries e,f. */
  async function leasedMixed(shipmentId: string) {
    const { token } = await tp.createLink({ purpose: 'internal' });
    const data = { a: randomBytes(3000), d: randomBytes(100), e: randomBytes(500) };
    const files = [{ fileId: 'a', size: 3000, parts: ['a', 'b', 'c'] }, { fileId: 'd', size: 100 }, { fileId: 'e', size: 500, parts: ['e', 'f'] }];
    await create(token, { shipmentId, envelope, files }).expect(201);
    for (const [fileId, bytes] of Object.entries(data)) await upload(token, shipmentId, fileId, bytes);
    const lease = await worker('/lease', { workerId: 'w' }).expect(200);
    assert.equal(lease.body.shipmentId, shipmentId);
    return { token, data, lease: lease.body as { leaseToken: string; files: { fileId: string; size: number; complete: boolean; parts?: string[] }[] } };
  }

  test('a bundled shipment is accepted; the sender view counts instances and lists uploads', async () => {
    const { token } = await tp.createLink();
    const files = [{ fileId: 'x1', size: 700, parts: ['x1', 'x2', 'x3'] }, { fileId: 'y', size: 50 }];
    const res = await create(token, { shipmentId: 'ok', envelope, files });
    assert.equal(res.status, 201, res.text);
    const status = await view(token, 'ok').expect(200);
    assert.equal(status.body.instances, 4);
    assert.deepEqual(status.body.files.map((f: { fileId: string; size: number }) => [f.fileId, f.size]), [['x1', 700], ['y', 50]]);
    const created = [...tp.portal.ctx.stores.audit.all()].find((r) => r.action === 'shipment.created' && r.objectId === 'ok');
    assert.deepEqual([created?.details?.files, created?.details?.instances], [2, 4], 'the audit counts uploads and instances');
  });

  test('every invalid parts form is 400 E_SHIPMENT_INVALID and stores nothing', async () => {
    const { token } = await tp.createLink();
    const bad: unknown[][] = [
      [{ fileId: 'a', size: 5, parts: ['b', 'a'] }], // parts[0] is not the upload's own id
      [{ fileId: 'a', size: 5, parts: ['a', 'b'] }, { fileId: 'c', size: 5, parts: ['c', 'b'] }], // an id in two uploads
      [{ fileId: 'a', size: 5, parts: ['a', 'b'] }, { fileId: 'b', size: 5 }], // a part id equal to a lone upload's id
      [{ fileId: 'b', size: 5 }, { fileId: 'a', size: 5, parts: ['a', 'b'] }], // the same, lone upload first
      [{ fileId: 'a', size: 5, parts: ['a', 'a'] }], // repeated inside one bundle
      [{ fileId: 'a', size: 5, parts: ['a', '../x'] }], // not an id
      [{ fileId: 'a', size: 5, parts: ['a', 7] }],
      [{ fileId: 'a', size: 5, parts: 'a' }], // not an array
      [{ fileId: 'a', size: 5, parts: null }],
      [{ fileId: 'a', size: 5, parts: [] }],
      [{ fileId: 'a', size: 5, parts: ['a', ...Array.from({ length: MAX_FILES }, (_, i) => `p${i}`)] }], // one bundle too big
      [{ fileId: 'a', size: 5, parts: ['a', ...Array.from({ length: MAX_FILES - 1 }, (_, i) => `p${i}`)] }, { fileId: 'z', size: 5 }], // in all
    ];
    for (const files of bad) {
      const res = await create(token, { shipmentId: 'bad', envelope, files });
      assert.equal(res.status, 400, JSON.stringify(files).slice(0, 200));
      assert.equal(res.body.error.code, 'E_SHIPMENT_INVALID');
    }
    assert.equal((await view(token, 'bad')).status, 404, 'nothing was stored');
  });

  test('the same body again resumes (200); a changed parts list is refused like other changed files', async () => {
    const { token } = await tp.createLink();
    const files = [{ fileId: 'a', size: 10, parts: ['a', 'b'] }, { fileId: 'c', size: 10 }];
    await create(token, { shipmentId: 'again', envelope, files }).expect(201);
    await create(token, { shipmentId: 'again', envelope, files }).expect(200);
    for (const changed of [
      [{ fileId: 'a', size: 10, parts: ['a', 'x'] }, { fileId: 'c', size: 10 }],
      [{ fileId: 'a', size: 10, parts: ['a'] }, { fileId: 'c', size: 10 }],
      [{ fileId: 'a', size: 10 }, { fileId: 'c', size: 10 }],
      [{ fileId: 'a', size: 10, parts: ['a', 'b'] }, { fileId: 'c', size: 10, parts: ['c'] }],
    ]) {
      const res = await create(token, { shipmentId: 'again', envelope, files: changed });
      assert.equal(res.status, 409, JSON.stringify(changed));
      assert.equal(res.body.error.code, 'E_SHIPMENT_CONFLICT');
    }
  });

  test('the lease lists the parts; a slice of a complete bundle downloads exactly (206)', async () => {
    const { lease, data } = await leasedMixed('lease');
    assert.deepEqual(lease.files, [
      { fileId: 'a', size: 3000, complete: true, parts: ['a', 'b', 'c'] },
      { fileId: 'd', size: 100, complete: true },
      { fileId: 'e', size: 500, complete: true, parts: ['e', 'f'] },
    ]);
    const beat = await worker('/shipments/lease/heartbeat', { leaseToken: lease.leaseToken }).expect(200);
    assert.equal(beat.body.files[0].parts, undefined, 'heartbeats leave the parts out');
    const slice = await request(tp.server).get('/api/worker/shipments/lease/files/a').auth(tp.workerCredential, { type: 'bearer' })
      .set('Range', 'bytes=1000-2199').buffer(true).parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    assert.equal(slice.status, 206);
    assert.equal(slice.headers['content-range'], 'bytes 1000-2199/3000');
    assert.deepEqual(slice.body, data.a.subarray(1000, 2200));
    const byPart = await request(tp.server).get('/api/worker/shipments/lease/files/b').auth(tp.workerCredential, { type: 'bearer' });
    assert.equal(byPart.status, 404, 'downloads name uploads, not the parts inside them');
  });

  test('reports name manifest files; counts are per manifest file; unknown ids are 400', async () => {
    const { token, lease } = await leasedMixed('mixed');
    const unknown = await worker('/shipments/mixed/report', { leaseToken: lease.leaseToken, files: [{ fileId: 'nope', outcome: 'stored' }] });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'E_BAD_REQUEST');
    const partial = await worker('/shipments/mixed/report', { leaseToken: lease.leaseToken, files: [{ fileId: 'a', outcome: 'stored' }, { fileId: 'zz', outcome: 'stored' }] });
    assert.equal(partial.status, 400, 'a batch naming one unknown id is refused whole');
    await worker('/shipments/mixed/report', { leaseToken: lease.leaseToken, files: [
      { fileId: 'a', outcome: 'stored', sopInstanceUid: '1.2.1' },
      { fileId: 'b', outcome: 'warning', code: 'W', dimseStatus: 0xb000 },
      { fileId: 'd', outcome: 'stored' },
      { fileId: 'f', outcome: 'rejected', code: 'E_NOT_DICOM', reason: 'not DICOM' },
    ] }).expect(200);
    // Idempotent: the same report again, and a later correction of one part, change only that part.
    await worker('/shipments/mixed/report', { leaseToken: lease.leaseToken, files: [{ fileId: 'b', outcome: 'warning', code: 'W', dimseStatus: 0xb000 }] }).expect(200);
    await worker('/shipments/mixed/report', { leaseToken: lease.leaseToken, files: [{ fileId: 'c', outcome: 'failed', code: 'E_PACS_REJECTED', dimseStatus: 0xa700 }] }).expect(200);
    await worker('/shipments/mixed/finish', { leaseToken: lease.leaseToken, state: 'imported-with-failures' }).expect(200);
    const status = await view(token, 'mixed').expect(200);
    assert.equal(status.body.instances, 6);
    assert.deepEqual(status.body.outcome.files, { stored: 2, warning: 1, rejected: 1, failed: 1, unreported: 1 });

    const report = readShipmentReport(tp.dataDir, 'mixed');
    // Once final, a manifest file never reported counts as failed (shared/send/outcome.ts).
    assert.deepEqual([report.summary.files, report.summary.stored, report.summary.failed], [6, 3, 3], JSON.stringify(report.summary));
    assert.ok(report.lines.some((line) => line.startsWith('Files: 6 in 3 upload(s)')), report.lines.join('\n'));
    assert.ok(report.lines.some((line) => /file c: failed \[E_PACS_REJECTED\] status 0xa700/.test(line)), report.lines.join('\n'));
    assert.ok(report.lines.some((line) => line.includes('1 not reported yet')), report.lines.join('\n'));
  });

  test('the receiver sees one row per manifest file (parts included) and the uploads apart', async () => {
    const { lease } = await leasedMixed('seen');
    await worker('/shipments/seen/report', { leaseToken: lease.leaseToken, files: [{ fileId: 'b', outcome: 'rejected', code: 'E_HASH_MISMATCH' }, { fileId: 'd', outcome: 'stored' }] }).expect(200);
    const login = await request(tp.server).post('/api/receiver/login').send({ email: 'rad@hospital.nl', password: PASSWORD }).expect(200);
    const cookie = (login.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
    const detail = await request(tp.server).get('/api/receiver/shipments/seen').set('Cookie', cookie).expect(200);
    assert.deepEqual(detail.body.files.map((f: { fileId: string; uploadId: string; outcome: string | null; size: number | null }) => [f.fileId, f.uploadId, f.outcome, f.size]), [
      ['a', 'a', null, null], ['b', 'a', 'rejected', null], ['c', 'a', null, null], ['d', 'd', 'stored', 100], ['e', 'e', null, null], ['f', 'e', null, null],
    ]);
    assert.equal(detail.body.files[1].code, 'E_HASH_MISMATCH');
    assert.deepEqual(detail.body.uploads.map((u: { fileId: string; size: number; received: number; complete: boolean }) => [u.fileId, u.size, u.received, u.complete]),
      [['a', 3000, 3000, true], ['d', 100, 100, true], ['e', 500, 500, true]]);
    assert.deepEqual([detail.body.fileCount, detail.body.instances, detail.body.reportedFiles, detail.body.bytesReceived], [3, 6, 2, 3600]);
    const list = await request(tp.server).get('/api/receiver/shipments').set('Cookie', cookie).expect(200);
    const row = list.body.shipments.find((s: { shipmentId: string }) => s.shipmentId === 'seen');
    assert.deepEqual([row.instances, row.reportedFiles], [6, 2]);
  });
});
