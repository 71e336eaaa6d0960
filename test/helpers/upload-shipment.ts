/**
 * Makes a real shipment for the worker's tests, the way a sender does but without the scanner: a manifest for a
 * list of DICOM files, the envelope sealed to the institution key from GET /api/sender/link, POST
 * /api/sender/shipments, then one tus upload per upload (tus-js-client in Node, link token as bearer, metadata only
 * shipmentId and fileId). By default every file is its own upload (manifest v1); `bundles` groups consecutive files
 * into bundles (manifest v2: each file's `upload` placement, `parts` declared, one tus upload of the concatenated
 * ciphertexts). Faults a hostile or broken sender (or a tampering middleman) could produce are options: a flipped
 * ciphertext byte, a wrong SHA-256 in the manifest, any plaintext (truncated, not DICOM) listed under a DICOM
 * identity, and a declaration of the uploads that differs from the manifest's layout.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tus from 'tus-js-client';
import type { TestCd, TestCdInstance } from '../../server/test-cd/make-test-cd.ts';
import {
  ciphertextSize, createFileEncryptor, newShipmentSecret, sealEnvelope, uploadsOf,
  type DicomIdentity, type JWK, type Manifest, type ManifestFile, type Statements,
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

/** One upload as declared at POST /api/sender/shipments. */
export interface DeclaredUpload {
  readonly fileId: string;
  readonly size: number;
  readonly parts?: readonly string[];
}

export interface TestUpload {
  /** What was declared to the portal (the tus Upload-Length is `declared.size`). */
  readonly declared: DeclaredUpload;
  /** Indexes of the files (specs) it carries, in offset order. */
  readonly files: readonly number[];
}

export interface TestShipmentOptions {
  readonly statements?: Statements;
  /**
   * Sizes of consecutive groups of files, each group one upload (their sum is the number of files). A group of more
   * than one is a bundle (manifest v2); a group of one is a lone file without `upload`, as a sender makes it.
   */
  readonly bundles?: readonly number[];
  /** Changes what is declared for an upload (a sender lying about a bundle); its body is cut to the declared size. */
  readonly declare?: (upload: DeclaredUpload) => DeclaredUpload;
}

export interface TestShipment {
  readonly shipmentId: string;
  readonly manifest: Manifest;
  readonly uploads: readonly TestUpload[];
  /** Uploads the upload carrying file i (its tus upload from start to end). */
  uploadFile(index: number): Promise<void>;
  /** Uploads upload k from start to end. */
  upload(k: number): Promise<void>;
  /** Creates upload k with only its first `octets` sent (tus creation-with-upload): it stays incomplete. */
  uploadPartly(k: number, octets: number): Promise<void>;
  /** Uploads every upload not uploaded yet. */
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

/** Consecutive groups of file indexes, from the group sizes (default: one file per group). */
function groupsOf(count: number, sizes?: readonly number[]): number[][] {
  const groups: number[][] = [];
  let next = 0;
  for (const size of sizes ?? Array.from({ length: count }, () => 1)) {
    groups.push(Array.from({ length: size }, (_, i) => next + i));
    next += size;
  }
  if (next !== count) throw new Error(`bundles cover ${next} files, not ${count}`);
  return groups;
}

export async function createTestShipment(
  portalUrl: string,
  token: string,
  specs: readonly ShipmentFileSpec[],
  options: TestShipmentOptions = {},
): Promise<TestShipment> {
  const link = (await senderCall(portalUrl, token, '/api/sender/link')) as { linkId: string; purpose: Manifest['purpose']; publicKey: JWK };
  const shipmentId = randomBytes(12).toString('base64url');
  const secret = newShipmentSecret();
  const fileIdOf = (i: number) => `f${String(i).padStart(5, '0')}`;
  const groups = groupsOf(specs.length, options.bundles);
  // docs/format.md "Uploads and bundles": a bundle is named after its first file; each file's body follows the last.
  const placement = new Map<number, { id: string; offset: number }>();
  for (const group of groups) {
    if (group.length < 2) continue;
    let offset = 0;
    for (const i of group) {
      placement.set(i, { id: fileIdOf(group[0]!), offset });
      offset += ciphertextSize(specs[i]!.bytes.length);
    }
  }
  const files: ManifestFile[] = specs.map((spec, i) => ({
    fileId: fileIdOf(i),
    path: spec.relativePath,
    size: spec.bytes.length,
    sha256: spec.sha256 ?? createHash('sha256').update(spec.bytes).digest('hex'),
    dicom: spec.dicom,
    ...(placement.has(i) ? { upload: placement.get(i)! } : {}),
  }));
  const manifest: Manifest = {
    version: placement.size > 0 ? 2 : 1, shipmentId, linkId: link.linkId, purpose: link.purpose, createdAt: new Date().toISOString(),
    statements: options.statements ?? {}, files, summary: summaryOf(files),
  };
  const envelope = await sealEnvelope({ secret, manifest }, [link.publicKey]);
  const encryptors = await Promise.all(specs.map((spec, i) => createFileEncryptor({
    secret, shipmentId, fileId: files[i]!.fileId, plainSize: spec.bytes.length,
    readPlain: async (start, end) => spec.bytes.subarray(start, end),
  })));
  const uploads: TestUpload[] = uploadsOf(files).map((u, k) => {
    const declared = { fileId: u.uploadId, size: u.size, ...(groups[k]!.length > 1 ? { parts: u.files.map((f) => f.fileId) } : {}) };
    return { declared: options.declare ? options.declare(declared) : declared, files: groups[k]! };
  });
  await senderCall(portalUrl, token, '/api/sender/shipments', { shipmentId, envelope, files: uploads.map((u) => u.declared) });
  const uploaded = new Set<number>();

  /** The upload's body: its files' ciphertexts back to back, any flips applied, cut to the declared size. */
  const bodyOf = async (k: number): Promise<Buffer> => {
    const pieces: Buffer[] = [];
    for (const i of uploads[k]!.files) {
      const encryptor = encryptors[i]!;
      const piece = Buffer.from(await encryptor.read(0, encryptor.size));
      const flip = specs[i]!.flipCiphertextAt;
      if (flip !== undefined) {
        if (flip >= piece.length) throw new Error(`flipCiphertextAt ${flip} is past the ${piece.length}-byte ciphertext`);
        piece[flip] = piece[flip]! ^ 0x01;
      }
      pieces.push(piece);
    }
    const body = Buffer.concat(pieces);
    const { size } = uploads[k]!.declared;
    if (size > body.length) throw new Error(`declared size ${size} is past the ${body.length}-byte body`);
    return body.subarray(0, size);
  };
  const metadata = (k: number) => ({ shipmentId, fileId: uploads[k]!.declared.fileId });

  const upload = async (k: number) => {
    const body = await bodyOf(k);
    await new Promise<void>((resolve, reject) => {
      new tus.Upload(body, {
        endpoint: `${portalUrl}/uploads/`,
        headers: { authorization: `Bearer ${token}` },
        metadata: metadata(k),
        uploadSize: body.length,
        retryDelays: [],
        onSuccess: () => resolve(),
        onError: reject,
      }).start();
    });
    uploaded.add(k);
  };
  return {
    shipmentId,
    manifest,
    uploads,
    upload,
    uploadFile: (index) => upload(uploads.findIndex((u) => u.files.includes(index))),
    async uploadPartly(k, octets) {
      const body = await bodyOf(k);
      if (octets >= body.length) throw new Error(`${octets} octets would complete the ${body.length}-byte upload`);
      // tus 1.0 creation-with-upload: the POST creates the upload and carries its first octets.
      const encoded = Object.entries(metadata(k)).map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`).join(',');
      const response = await fetch(`${portalUrl}/uploads/`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(body.length), 'upload-metadata': encoded,
          'content-type': 'application/offset+octet-stream',
        },
        body: new Uint8Array(body.subarray(0, octets)),
      });
      await response.arrayBuffer();
      if (response.status !== 201 || response.headers.get('upload-offset') !== String(octets)) {
        throw new Error(`partial upload ${k}: HTTP ${response.status}, offset ${response.headers.get('upload-offset')}`);
      }
    },
    async uploadAll() {
      for (let k = 0; k < uploads.length; k++) if (!uploaded.has(k)) await upload(k);
    },
  };
}
