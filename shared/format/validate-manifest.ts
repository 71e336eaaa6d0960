/**
 * validateManifest: the schema of manifest v1 and v2 (manifest.ts) as code. Strict: unknown members are errors, every
 * string and array is bounded, and the first violation is reported as E_MANIFEST naming the field by its path,
 * e.g. "manifest.files[3].sha256: expected 64 lower-case hex digits".
 */
import { FormatError } from './errors.ts';
import { ID_PATTERN } from './ids.ts';
import { ciphertextSize } from './layout.ts';
import type { Manifest } from './manifest.ts';

export const MANIFEST_LIMITS = {
  files: 100_000,
  patients: 1_000,
  studies: 10_000,
  modalities: 32,
  skipped: 100_000,
  pathLength: 1_024,
  textLength: 1_024,
  commentLength: 8_000,
  fileSize: 2 ** 40,
  count: 10_000_000,
} as const;

const UID = /^[0-9]+(\.[0-9]+)*$/; // PS3.5 §9.1 digits and dots; leading zeros tolerated (real CDs have them)
const SHA256 = /^[0-9a-f]{64}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const LINK_ID = /^[A-Za-z0-9_-]{1,128}$/;

type Obj = Record<string, unknown>;

function bad(path: string, expected: string): never {
  throw new FormatError('E_MANIFEST', `${path}: expected ${expected}`);
}

function object(path: string, value: unknown, required: readonly string[], optional: readonly string[] = []): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(path, 'an object');
  for (const key of Object.keys(value)) {
    if (!required.includes(key) && !optional.includes(key)) bad(`${path}.${key}`, 'no such member (unknown field)');
  }
  for (const key of required) if (!(key in value)) bad(`${path}.${key}`, 'a value (missing)');
  return value as Obj;
}

function hasControlCharacter(value: string, multiline: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const allowed = c === 0x09 || (multiline && (c === 0x0a || c === 0x0d));
    if ((c < 0x20 && !allowed) || c === 0x7f) return true;
  }
  return false;
}

function text(path: string, value: unknown, max: number = MANIFEST_LIMITS.textLength, min = 0, multiline = false): string {
  if (typeof value !== 'string') bad(path, 'a string');
  if (value.length < min || value.length > max) bad(path, `a string of ${min}..${max} characters`);
  // Control characters (CR, LF, NUL…) have no business in these fields and poison logs and HTML.
  if (hasControlCharacter(value, multiline)) bad(path, multiline ? 'no control characters but tab and line breaks' : 'no control characters');
  return value;
}

function matching(path: string, value: unknown, pattern: RegExp, expected: string, max = 64): string {
  if (typeof value !== 'string' || value.length > max || !pattern.test(value)) bad(path, expected);
  return value;
}

function count(path: string, value: unknown, max: number = MANIFEST_LIMITS.count): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) bad(path, `an integer in 0..${max}`);
  return value;
}

function array(path: string, value: unknown, max: number): unknown[] {
  if (!Array.isArray(value)) bad(path, 'an array');
  if (value.length > max) bad(path, `at most ${max} entries`);
  return value;
}

function relativePath(path: string, value: unknown): void {
  const p = text(path, value, MANIFEST_LIMITS.pathLength, 1);
  if (p.startsWith('/') || p.includes('\\') || p.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) {
    bad(path, "a relative '/'-separated path without empty, '.' or '..' segments");
  }
}

const uid = (path: string, value: unknown): string => matching(path, value, UID, 'a DICOM UID (digits and dots, at most 64)');

function validateFile(path: string, value: unknown, version: 1 | 2): string {
  const file = object(path, value, ['fileId', 'path', 'size', 'sha256', 'dicom'], version === 2 ? ['upload'] : []);
  const fileId = matching(`${path}.fileId`, file.fileId, ID_PATTERN, `an id matching ${ID_PATTERN.source}`);
  relativePath(`${path}.path`, file.path);
  count(`${path}.size`, file.size, MANIFEST_LIMITS.fileSize);
  matching(`${path}.sha256`, file.sha256, SHA256, '64 lower-case hex digits');
  const dicom = object(`${path}.dicom`, file.dicom, ['sopClassUid', 'sopInstanceUid', 'studyInstanceUid', 'seriesInstanceUid', 'transferSyntaxUid']);
  for (const key of Object.keys(dicom)) uid(`${path}.dicom.${key}`, dicom[key]);
  if (file.upload !== undefined) {
    const upload = object(`${path}.upload`, file.upload, ['id', 'offset']);
    matching(`${path}.upload.id`, upload.id, ID_PATTERN, `an id matching ${ID_PATTERN.source}`);
    count(`${path}.upload.offset`, upload.offset, Number.MAX_SAFE_INTEGER);
  }
  return fileId;
}

/**
 * Bundles are exact: an upload's files follow each other in manifest order with no gap or overlap, the first at
 * offset 0 and named like the upload (so upload ids never collide with each other or with a lone file's id, as
 * file ids are unique). A reader can then cut every file out of its upload by the manifest alone.
 */
function validateUploads(files: readonly Obj[]): void {
  const next = new Map<string, number>();
  files.forEach((file, i) => {
    const upload = file.upload as { id: string; offset: number } | undefined;
    if (upload === undefined) return;
    const at = `manifest.files[${i}].upload`;
    const expected = next.get(upload.id);
    if (expected === undefined) {
      if (upload.offset !== 0 || upload.id !== file.fileId) bad(at, `offset 0 and id '${String(file.fileId)}' for the first file of upload '${upload.id}'`);
    } else if (upload.offset !== expected) {
      bad(`${at}.offset`, `${expected}: the end of the previous file of upload '${upload.id}'`);
    }
    next.set(upload.id, upload.offset + ciphertextSize(file.size as number));
  });
}

function validateStatements(path: string, value: unknown): void {
  const statements = object(path, value, [], ['consent', 'comment']);
  if (statements.consent !== undefined) {
    const consent = object(`${path}.consent`, statements.consent, ['recordedBy', 'date', 'reference']);
    text(`${path}.consent.recordedBy`, consent.recordedBy, MANIFEST_LIMITS.textLength, 1);
    matching(`${path}.consent.date`, consent.date, ISO_DATE, 'an ISO 8601 date YYYY-MM-DD');
    text(`${path}.consent.reference`, consent.reference, MANIFEST_LIMITS.textLength, 1);
  }
  if (statements.comment !== undefined) text(`${path}.comment`, statements.comment, MANIFEST_LIMITS.commentLength, 0, true);
}

function validateSummary(path: string, value: unknown): void {
  const summary = object(path, value, ['patients', 'studies', 'series', 'instances', 'skipped']);
  array(`${path}.patients`, summary.patients, MANIFEST_LIMITS.patients).forEach((p, i) => {
    const at = `${path}.patients[${i}]`;
    const patient = object(at, p, ['name', 'id', 'birthDate'], ['issuer']);
    text(`${at}.name`, patient.name);
    text(`${at}.id`, patient.id);
    text(`${at}.birthDate`, patient.birthDate, 32);
    if (patient.issuer !== undefined) text(`${at}.issuer`, patient.issuer);
  });
  array(`${path}.studies`, summary.studies, MANIFEST_LIMITS.studies).forEach((s, i) => {
    const at = `${path}.studies[${i}]`;
    const study = object(at, s, ['studyInstanceUid', 'date', 'description', 'modalities', 'accession', 'patientId', 'series', 'instances']);
    uid(`${at}.studyInstanceUid`, study.studyInstanceUid);
    text(`${at}.date`, study.date, 32);
    text(`${at}.description`, study.description);
    array(`${at}.modalities`, study.modalities, MANIFEST_LIMITS.modalities).forEach((m, j) => text(`${at}.modalities[${j}]`, m, 16, 1));
    text(`${at}.accession`, study.accession);
    text(`${at}.patientId`, study.patientId);
    count(`${at}.series`, study.series);
    count(`${at}.instances`, study.instances);
  });
  count(`${path}.series`, summary.series);
  count(`${path}.instances`, summary.instances);
  array(`${path}.skipped`, summary.skipped, MANIFEST_LIMITS.skipped).forEach((s, i) => {
    const skipped = object(`${path}.skipped[${i}]`, s, ['path', 'reason']);
    text(`${path}.skipped[${i}].path`, skipped.path, MANIFEST_LIMITS.pathLength, 1);
    text(`${path}.skipped[${i}].reason`, skipped.reason, MANIFEST_LIMITS.textLength, 1);
  });
}

export function validateManifest(value: unknown): Manifest {
  const m = object('manifest', value, ['version', 'shipmentId', 'linkId', 'purpose', 'createdAt', 'statements', 'files', 'summary']);
  if (m.version !== 1 && m.version !== 2) bad('manifest.version', 'the number 1 or 2');
  const version = m.version;
  matching('manifest.shipmentId', m.shipmentId, ID_PATTERN, `an id matching ${ID_PATTERN.source}`);
  matching('manifest.linkId', m.linkId, LINK_ID, `an id matching ${LINK_ID.source}`, 128);
  if (m.purpose !== 'transfer' && m.purpose !== 'consult' && m.purpose !== 'internal') {
    bad('manifest.purpose', "one of 'transfer', 'consult', 'internal'");
  }
  const createdAt = matching('manifest.createdAt', m.createdAt, ISO_TIMESTAMP, 'an ISO 8601 timestamp with time zone');
  if (Number.isNaN(Date.parse(createdAt))) bad('manifest.createdAt', 'a valid date');
  validateStatements('manifest.statements', m.statements);
  if (m.purpose === 'consult' && (m.statements as Obj).consent === undefined) {
    bad('manifest.statements.consent', 'a consent statement (required when purpose is consult)');
  }
  const seen = new Set<string>();
  const files = array('manifest.files', m.files, MANIFEST_LIMITS.files);
  files.forEach((f, i) => {
    const fileId = validateFile(`manifest.files[${i}]`, f, version);
    if (seen.has(fileId)) bad(`manifest.files[${i}].fileId`, `a unique id ('${fileId}' repeats)`);
    seen.add(fileId);
  });
  validateUploads(files as Obj[]);
  validateSummary('manifest.summary', m.summary);
  return value as Manifest;
}
