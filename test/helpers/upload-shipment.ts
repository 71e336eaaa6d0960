/**
 * Makes a real shipment for the worker's tests, the way a sender does but without the scanner: a manifest for a
 * list of DICOM files, the envelope sealed to the institution key from GET /api/sender/link, POST
 * /api/sender/shipments, then one tus upload per file (tus-js-client in Node, link token as bearer, metadata only
 * shipmentId and fileId). Faults a hostile or broken sender (or a tampering middleman) could produce are options:
 * a flipped ciphertext byte, a wrong SHA-256 in the manifest, and any plaintext (truncated, not DICOM) listed
 * under a DICOM identity.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tus from 'tus-js-client';
import type { TestCd, TestCdInstance } from '../../server/test-cd/make-test-cd.ts';
import {
  createFileEncryptor, newShipmentSecret, sealEnvelope, type DicomIdentity, type JWK, type Manifest, type ManifestFile, type Statements,
} from '../../shared/format/index.ts';

export interface ShipmentFileSpec {
  /** Path on the CD ('/'-separated). */
  readonly relativePath: string;
  /** The plaintext actually sent. */
  readonly bytes: Uint8Array;
  /** The identity the manifest states. */
  readonly dicom: DicomIdentity;
  /** Replaces the SHA-256 the manifest states (a sender bug or a forged manifest). */
  readonly sha256?: string;
  /** Flips one bit of the uploaded ciphertext at this offset (tampering on the way or at rest). */
  readonly flipCiphertextAt?: number;
}

export interface TestShipment {
  readonly shipmentId: string;
  readonly manifest: Manifest;
  /** Uploads file i (its tus upload from start to end). */
  uploadFile(index: number): Promise<void>;
  /** Uploads every file not uploaded yet. */
  uploadAll(): Promise<void>;
}

const dicomOf = (i: TestCdInstance): DicomIdentity => ({
  sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, studyInstanceUid: i.studyInstanceUid,
  seriesInstanceUid: i.seriesInstanceUid, transferSyntaxUid: i.transferSyntaxUid,
});

/** Every instance of a generated CD as a file spec (the DICOMDIR and junk are left out, as a sender skips them). */
export function specsOf(cd: TestCd): ShipmentFileSpec[] {
  return cd.instances.map((i) => ({ relativePath: i.relativePath, bytes: new Uint8Array(readFileSync(i.path)), dicom: dicomOf(i) }));
}

async function senderCall(portalUrl: string, token: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(portalUrl + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

function summaryOf(files: readonly ManifestFile[]): Manifest['summary'] {
  const studies = new Map<string, { series: Set<string>; instances: number }>();
  for (const { dicom } of files) {
    const study = studies.get(dicom.studyInstanceUid) ?? { series: new Set<string>(), instances: 0 };
    study.series.add(dicom.seriesInstanceUid);
    study.instances += 1;
    studies.set(dicom.studyInstanceUid, study);
  }
  return {
    patients: [{ name: 'Test^Patient', id: 'TEST-1', birthDate: '19700101' }],
    studies: [...studies].map(([studyInstanceUid, s]) => ({
      studyInstanceUid, date: '20260101', description: 'Test study', modalities: ['CT'], accession: '', patientId: 'TEST-1',
      series: s.series.size, instances: s.instances,
    })),
    series: [...studies.values()].reduce((n, s) => n + s.series.size, 0),
    instances: files.length,
    skipped: [],
  };
}

export async function createTestShipment(
  portalUrl: string,
  token: string,
  specs: readonly ShipmentFileSpec[],
  options: { statements?: Statements } = {},
): Promise<TestShipment> {
  const link = (await senderCall(portalUrl, token, '/api/sender/link')) as { linkId: string; purpose: Manifest['purpose']; publicKey: JWK };
  const shipmentId = randomBytes(12).toString('base64url');
  const secret = newShipmentSecret();
  const files: ManifestFile[] = specs.map((spec, i) => ({
    fileId: `f${String(i).padStart(5, '0')}`,
    path: spec.relativePath,
    size: spec.bytes.length,
    sha256: spec.sha256 ?? createHash('sha256').update(spec.bytes).digest('hex'),
    dicom: spec.dicom,
  }));
  const manifest: Manifest = {
    version: 1, shipmentId, linkId: link.linkId, purpose: link.purpose, createdAt: new Date().toISOString(),
    statements: options.statements ?? {}, files, summary: summaryOf(files),
  };
  const envelope = await sealEnvelope({ secret, manifest }, [link.publicKey]);
  const encryptors = await Promise.all(specs.map((spec, i) => createFileEncryptor({
    secret, shipmentId, fileId: files[i]!.fileId, plainSize: spec.bytes.length,
    readPlain: async (start, end) => spec.bytes.subarray(start, end),
  })));
  await senderCall(portalUrl, token, '/api/sender/shipments', {
    shipmentId, envelope, files: files.map((f, i) => ({ fileId: f.fileId, size: encryptors[i]!.size })),
  });
  const uploaded = new Set<number>();

  const uploadFile = async (index: number) => {
    const encryptor = encryptors[index]!;
    const body = Buffer.from(await encryptor.read(0, encryptor.size));
    const flip = specs[index]!.flipCiphertextAt;
    if (flip !== undefined) {
      if (flip >= body.length) throw new Error(`flipCiphertextAt ${flip} is past the ${body.length}-byte ciphertext`);
      body[flip] = body[flip]! ^ 0x01;
    }
    await new Promise<void>((resolve, reject) => {
      new tus.Upload(body, {
        endpoint: `${portalUrl}/uploads/`,
        headers: { authorization: `Bearer ${token}` },
        metadata: { shipmentId, fileId: files[index]!.fileId },
        uploadSize: body.length,
        retryDelays: [],
        onSuccess: () => resolve(),
        onError: reject,
      }).start();
    });
    uploaded.add(index);
  };
  return {
    shipmentId,
    manifest,
    uploadFile,
    async uploadAll() {
      for (let i = 0; i < specs.length; i++) if (!uploaded.has(i)) await uploadFile(i);
    },
  };
}
