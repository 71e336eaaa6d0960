/**
 * Helpers for the sender's integration tests (test/send-*.test.ts): the generated CD as pipeline input (without
 * the scanner, for the pipeline-level tests), and what the worker would see: the shipment leased, its envelope
 * opened with the institution's private key, every file downloaded and decrypted, byte-compared with the CD.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { keyPaths } from '../server/portal/keys/key-files.ts';
import { folderFile } from '../server/send/node-files.ts';
import type { TestCd } from '../server/test-cd/make-test-cd.ts';
import { decryptFile, openEnvelope, type JWK, type Manifest, type ShipmentSummary } from '../shared/format/index.ts';
import type { SendInstance } from '../shared/send/index.ts';

export function instancesOf(cd: TestCd): SendInstance[] {
  return cd.instances.map((instance) => ({
    file: folderFile(instance.path, instance.relativePath, instance.size),
    dicom: {
      sopClassUid: instance.sopClassUid,
      sopInstanceUid: instance.sopInstanceUid,
      studyInstanceUid: instance.studyInstanceUid,
      seriesInstanceUid: instance.seriesInstanceUid,
      transferSyntaxUid: instance.transferSyntaxUid,
    },
  }));
}

export function summaryOf(cd: TestCd): ShipmentSummary {
  return {
    patients: cd.patients.map(({ id, name, birthDate }) => ({ id, name, birthDate })),
    studies: cd.studies.map((study) => ({ ...study, modalities: [...study.modalities] })),
    series: cd.studies.reduce((sum, study) => sum + study.series, 0),
    instances: cd.instances.length,
    skipped: [],
  };
}

async function workerCall(baseUrl: string, credential: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * Leases the shipment as a worker would, opens the envelope and decrypts every file; asserts each equals the
 * CD file it came from (by path) and its manifest SHA-256. Returns the manifest.
 */
export async function assertShipmentDecryptsToCd(portal: { url: string; dataDir: string; workerCredential: string }, shipmentId: string, cd: TestCd): Promise<Manifest> {
  const lease = await workerCall(portal.url, portal.workerCredential, '/api/worker/lease', { workerId: 'test-reader' });
  assert.equal(lease.status, 200, 'the shipment can be leased');
  const leased = (await lease.json()) as { shipmentId: string; envelope: unknown; leaseToken: string };
  assert.equal(leased.shipmentId, shipmentId);
  const privateJwk = JSON.parse(readFileSync(keyPaths(portal.dataDir).institutionPrivate, 'utf8')) as JWK;
  const { secret, manifest } = await openEnvelope(leased.envelope, privateJwk);
  const byPath = new Map(cd.instances.map((instance) => [instance.relativePath, instance]));
  for (const file of manifest.files) {
    const response = await workerCall(portal.url, portal.workerCredential, `/api/worker/shipments/${shipmentId}/files/${file.fileId}`);
    assert.equal(response.status, 200, `download ${file.path}`);
    const ciphertext = new Uint8Array(await response.arrayBuffer());
    const parts: Uint8Array[] = [];
    for await (const part of decryptFile({ secret, shipmentId, fileId: file.fileId }, (async function* () { yield ciphertext; })())) parts.push(part);
    const plain = new Uint8Array(Buffer.concat(parts));
    const original = byPath.get(file.path);
    assert.ok(original, `${file.path} is a file of the CD`);
    assert.ok(sameBytes(plain, new Uint8Array(readFileSync(original.path))), `${file.path} decrypts to the original bytes`);
    assert.equal(file.dicom.sopInstanceUid, original.sopInstanceUid);
  }
  await workerCall(portal.url, portal.workerCredential, `/api/worker/shipments/${shipmentId}/release`, { leaseToken: leased.leaseToken, reason: 'test read' });
  return manifest;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
