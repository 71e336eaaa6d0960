/**
 * Step one of a send, before any byte leaves: hash every file, give it a file id, build and validate the
 * manifest, seal it with a fresh shipment secret into the JWE for the institution key, and compute each file's
 * ciphertext size. Given the resume state of an interrupted send of the SAME files (same paths, sizes and
 * SHA-256), it reuses that shipment id, secret, file ids, bundles and envelope instead, so the re-sent ciphertext
 * is identical. Refuses a consultation without the consent statement here, before anything is uploaded.
 *
 * Bundles (docs/format.md "Uploads and bundles (manifest v2)"): consecutive small files travel back to back in one
 * tus upload, so a CD of thousands of instances costs tens of requests, fsyncs and portal rows instead of thousands.
 */
import { ciphertextSize, newShipmentSecret, sealEnvelope, validateManifest } from '../format/index.ts';
import type { DicomIdentity, JWK, Manifest, ScratchPool, ShipmentSummary, Statements } from '../format/index.ts';
import { runBounded } from './retry.ts';
import { groupBundles, rebuildUploads, type PlannedUpload } from './bundles.ts';
import { base64UrlDecode, base64UrlEncode, randomId, type ResumeFile, type ResumeState } from './resume-state.ts';
import { SendError } from './send-error.ts';
import type { LinkInfo } from './sender-api.ts';
import { sha256Hex, type HashFactory } from './sha256.ts';

/** A plaintext file on the CD: a Node file or a browser File behind the same three members. */
export interface PlainFile {
  /** Relative path on the CD, '/'-separated. */
  readonly path: string;
  readonly size: number;
  /**
   * Octets [start, end). `into`, when given, is a scratch buffer of at least end - start octets that the reader may
   * fill and return a view of (the Node reader does; a browser File cannot and returns new memory).
   */
  read(start: number, end: number, into?: Uint8Array): Promise<Uint8Array>;
}

/** One DICOM instance to send: the file and the identity the scanner read from its header. */
export interface SendInstance {
  readonly file: PlainFile;
  readonly dicom: DicomIdentity;
}

export interface PlanInput {
  readonly link: Pick<LinkInfo, 'linkId' | 'purpose' | 'publicKey'>;
  /** The instances to send (after de-duplication and the user's selection). */
  readonly instances: readonly SendInstance[];
  /** The inventory summary for the manifest (patients, studies, counts, skipped files). */
  readonly summary: ShipmentSummary;
  readonly statements: Statements;
  /** The state of an earlier, interrupted send of this link and source, if any. */
  readonly resume?: ResumeState;
  /** A faster incremental SHA-256 (Node: node:crypto); default WebCrypto / the built-in one. */
  readonly createHash?: HashFactory;
  /** Buffers to read the files into while hashing (Node; see shared/format/scratch-pool.ts). */
  readonly scratch?: ScratchPool;
  /**
   * Hashes a file elsewhere (the page: in its worker, off the main thread) instead of sha256Hex here; must give
   * the same lowercase hex SHA-256 of the whole file.
   */
  readonly hashFile?: (file: PlainFile) => Promise<string>;
  /** Files hashed at once (default 4). */
  readonly concurrency?: number;
  onHashed?(filesDone: number, filesTotal: number): void;
  readonly now?: () => Date;
  /**
   * Ciphertext octets per bundle upload at most (default DEFAULT_BUNDLE_BYTES; 0: every file its own upload).
   * Ignored on resume: the saved bundles are rebuilt as they were.
   */
  readonly bundleBytes?: number;
}

/**
 * 16 MiB: a CD of 0.5 MB instances costs tens of uploads instead of thousands (the per-upload request, fsync and
 * portal row were the floor: docs/architecture.md "Speed"), while a bundle is still two 8 MiB tus chunks, the worker
 * can start on a bundle soon after it begins, and a resume re-sends at most what one chunk lost.
 */
export const DEFAULT_BUNDLE_BYTES = 16 * 2 ** 20;

export interface PlannedFile {
  /** The manifest file id (its key schedule's input, docs/format.md). */
  readonly fileId: string;
  readonly path: string;
  readonly plainSize: number;
  readonly sha256: string;
  /** Ciphertext size: the tus Upload-Length. */
  readonly size: number;
  /** Plaintext reader, for the encryptor. */
  readonly plain: PlainFile;
  /** Where its ciphertext travels inside a bundle (manifest v2 `upload`); absent: it is its own upload. */
  readonly upload?: { readonly id: string; readonly offset: number };
}

export interface ShipmentPlan {
  readonly shipmentId: string;
  readonly linkId: string;
  readonly secret: Uint8Array;
  readonly envelope: unknown;
  /** The manifest files, in manifest order. */
  readonly files: readonly PlannedFile[];
  /** What goes over tus: each carries one file, or a bundle of consecutive files (in manifest = offset order). */
  readonly uploads: readonly PlannedUpload[];
  /** True when this plan continues an interrupted send (resume state matched). */
  readonly resumed: boolean;
  /** Keep this (ResumeStore.save) before the first upload; remove it once the portal confirms every file. */
  readonly state: ResumeState;
}

/** Throws E_SEND_CONSENT_REQUIRED when a consultation lacks a complete consent statement. */
export function checkStatements(purpose: string, statements: Statements): void {
  if (purpose !== 'consult') return;
  const consent = statements.consent;
  const missing = (['recordedBy', 'date', 'reference'] as const).filter((field) => !consent?.[field]?.trim());
  if (missing.length > 0) {
    throw new SendError(
      'E_SEND_CONSENT_REQUIRED',
      `a consultation needs the patient's consent statement: who recorded it, when and a reference (missing: ${missing.join(', ')})`,
    );
  }
  // The manifest schema takes an ISO 8601 calendar date (docs/format.md); say so before anything is sealed.
  const date = consent!.date.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    throw new SendError('E_SEND_CONSENT_INVALID', `the consent date must be a date as YYYY-MM-DD, got "${consent!.date}"`);
  }
}

export async function planShipment(input: PlanInput): Promise<ShipmentPlan> {
  checkStatements(input.link.purpose, input.statements);
  if (input.instances.length === 0) throw new SendError('E_SEND_NOTHING', 'there is no DICOM instance to send');
  const hashes = new Array<string>(input.instances.length);
  let hashed = 0;
  await runBounded(input.instances, input.concurrency ?? 4, async (instance, index) => {
    hashes[index] = await (input.hashFile ? input.hashFile(instance.file) : sha256Hex(instance.file, input.createHash, input.scratch));
    input.onHashed?.(++hashed, input.instances.length);
  });

  const reused = matchResume(input, hashes);
  if (reused) return reused;

  const shipmentId = randomId();
  const secret = newShipmentSecret();
  const fileIds = input.instances.map(() => randomId(12));
  const placements = groupBundles(
    input.instances.map((instance, i) => ({ fileId: fileIds[i]!, size: ciphertextSize(instance.file.size) })),
    input.bundleBytes ?? DEFAULT_BUNDLE_BYTES,
  );
  const manifest: Manifest = validateManifest({
    version: placements.some((placement) => placement !== undefined) ? 2 : 1,
    shipmentId,
    linkId: input.link.linkId,
    purpose: input.link.purpose,
    createdAt: (input.now?.() ?? new Date()).toISOString(),
    statements: input.statements,
    files: input.instances.map((instance, i) => ({
      fileId: fileIds[i]!,
      path: instance.file.path,
      size: instance.file.size,
      sha256: hashes[i]!,
      dicom: instance.dicom,
      ...(placements[i] ? { upload: placements[i] } : {}),
    })),
    summary: input.summary,
  });
  const envelope = await sealEnvelope({ secret, manifest }, [input.link.publicKey as JWK]);
  const files = input.instances.map((instance, i) => planned(instance.file, fileIds[i]!, hashes[i]!, placements[i]));
  const state: ResumeState = {
    version: 1,
    linkId: input.link.linkId,
    shipmentId,
    secret: base64UrlEncode(secret),
    envelope,
    createdAt: manifest.createdAt,
    files: files.map(resumeFile),
  };
  return { shipmentId, linkId: input.link.linkId, secret, envelope, files, uploads: rebuildUploads(files)!, resumed: false, state };
}

function planned(plain: PlainFile, fileId: string, sha256: string, upload: PlannedFile['upload']): PlannedFile {
  return { fileId, path: plain.path, plainSize: plain.size, sha256, size: ciphertextSize(plain.size), plain, ...(upload ? { upload } : {}) };
}

function resumeFile(file: PlannedFile): ResumeFile {
  const { path, plainSize, sha256, fileId, size, upload } = file;
  return { path, plainSize, sha256, fileId, size, ...(upload ? { upload: { id: upload.id, offset: upload.offset } } : {}) };
}

/**
 * The resumed plan when the saved state covers exactly these files with the same content; else undefined. Its files
 * are in the SAVED (manifest) order and its uploads are rebuilt from the saved placements, never grouped again: the
 * scan may list the CD in another order, and the envelope already sealed says where each file's ciphertext sits.
 */
function matchResume(input: PlanInput, hashes: readonly string[]): ShipmentPlan | undefined {
  const state = input.resume;
  if (!state || state.linkId !== input.link.linkId || state.files.length !== input.instances.length) return undefined;
  const byPath = new Map(input.instances.map((instance, i) => [instance.file.path, { instance, sha256: hashes[i]! }]));
  const files: PlannedFile[] = [];
  for (const saved of state.files) {
    const found = byPath.get(saved.path);
    if (!found || saved.plainSize !== found.instance.file.size || saved.sha256 !== found.sha256) return undefined;
    byPath.delete(saved.path);
    files.push(planned(found.instance.file, saved.fileId, saved.sha256, saved.upload));
  }
  const uploads = rebuildUploads(files);
  if (!uploads) return undefined; // placements that do not tile their bundles: not a state this sender wrote
  const secret = base64UrlDecode(state.secret);
  return { shipmentId: state.shipmentId, linkId: state.linkId, secret, envelope: state.envelope, files, uploads, resumed: true, state };
}
