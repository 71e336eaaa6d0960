/**
 * Scans a patient CD (any list of files: a browser drop or a Node folder walk) into the DICOM instances to send
 * and the files left behind, each with a reason. Every file is sniffed; DICOM files are parsed up to the pixel
 * data only (shared/dicom). The DICOMDIR, when present, is cross-checked: files it lists that are missing and
 * DICOM files it does not list are reported. Instances are de-duplicated by SOP Instance UID: an identical copy
 * is skipped, a different file under the same UID is skipped AND warned about (never a silent drop).
 */
import { readDicomHeader, dicomIdentity, dicomDescription, DicomError, MEDIA_STORAGE_DIRECTORY, type DicomDescription, type HeaderOptions } from '../dicom/index.ts';
import type { DicomIdentity, SkippedFile } from '../format/index.ts';
import type { PlainFile, SendInstance } from './plan-shipment.ts';
import { readDicomdir, type DicomdirEntry } from './dicomdir.ts';
import { isDicomdirPath, junkReason, pathKey } from './scan-rules.ts';
import { runBounded } from './retry.ts';
import { sameContent } from './scan-compare.ts';
import { scanWarnings } from './scan-warnings.ts';

/** A file as the scanner sees it: the same shape the rest of the pipeline reads (PlainFile). */
export type SourceFile = PlainFile;

/** One DICOM instance found on the CD (structured-cloneable: the file itself is `files[index]`). */
export interface ScannedInstance extends DicomDescription {
  /** Index into the scanned files list. */
  readonly index: number;
  readonly path: string;
  readonly size: number;
  readonly dicom: DicomIdentity;
  /** False for a bare data set (no preamble, no meta), as old CDs hold. */
  readonly hasPreamble: boolean;
}

export interface DuplicateInstance {
  readonly path: string;
  /** The file kept under the same SOP Instance UID. */
  readonly keptPath: string;
  readonly sopInstanceUid: string;
  /** False: same UID, different bytes (reported as a warning). */
  readonly identical: boolean;
}

export interface DicomdirReport {
  readonly paths: readonly string[];
  /** Files the DICOMDIR references. */
  readonly listed: number;
  /** Referenced by the DICOMDIR but not among the files. */
  readonly missing: readonly string[];
  /** DICOM instances on the CD the DICOMDIR does not reference. */
  readonly unlisted: readonly string[];
  /** Unsafe or unreadable records, in words. */
  readonly problems: readonly string[];
}

export interface ScanResult {
  readonly instances: readonly ScannedInstance[];
  readonly skipped: readonly SkippedFile[];
  /** Remarks about the CD as a whole, in plain words (several patients, inconsistent data, DICOMDIR mismatch...). */
  readonly warnings: readonly string[];
  readonly duplicates: readonly DuplicateInstance[];
  readonly dicomdir: DicomdirReport | undefined;
  /** Bytes of the instances to send. */
  readonly bytes: number;
}

export interface ScanOptions {
  /** Called after each file: files done so far and the total. */
  onProgress?(filesDone: number, filesTotal: number): void;
  /** Files read at once (default 8). */
  readonly concurrency?: number;
  /** Header reading limits (shared/dicom). */
  readonly header?: HeaderOptions;
}

type Outcome = { instance: ScannedInstance } | { skipped: SkippedFile };

async function scanOne(file: SourceFile, index: number, header: HeaderOptions | undefined): Promise<Outcome> {
  if (isDicomdirPath(file.path)) return { skipped: { path: file.path, reason: 'DICOMDIR: the index of the CD, read but not sent' } };
  if (file.size === 0) return { skipped: { path: file.path, reason: 'empty file' } };
  try {
    const parsed = await readDicomHeader(file, header);
    const dicom = dicomIdentity(parsed);
    if (dicom.sopClassUid === MEDIA_STORAGE_DIRECTORY) return { skipped: { path: file.path, reason: 'a DICOM directory (DICOMDIR), not an instance' } };
    return { instance: { index, path: file.path, size: file.size, dicom, hasPreamble: parsed.layout === 'part10', ...dicomDescription(parsed) } };
  } catch (error) {
    if (error instanceof DicomError && error.code === 'E_DICOM_NOT_DICOM') return { skipped: { path: file.path, reason: junkReason(file.path, file.size) } };
    if (error instanceof DicomError) return { skipped: { path: file.path, reason: `damaged DICOM file, not sent (${error.code}: ${error.message})` } };
    return { skipped: { path: file.path, reason: `unreadable file (${error instanceof Error ? error.message : String(error)})` } };
  }
}

export async function scanFiles(files: readonly SourceFile[], options: ScanOptions = {}): Promise<ScanResult> {
  const outcomes: Outcome[] = new Array(files.length);
  let done = 0;
  await runBounded(files.map((file, index) => ({ file, index })), options.concurrency ?? 8, async ({ file, index }) => {
    outcomes[index] = await scanOne(file, index, options.header);
    options.onProgress?.(++done, files.length);
  });

  const index = await readIndexes(files);
  const listed = new Set(index?.entries.map((entry) => pathKey(entry.path)));
  const isListed = (instance: ScannedInstance) => listed.has(pathKey(instance.path));
  const instances: ScannedInstance[] = [];
  const skipped: SkippedFile[] = [];
  const duplicates: DuplicateInstance[] = [];
  const byUid = new Map<string, number>(); // SOP Instance UID -> position in instances
  for (const outcome of outcomes) {
    if ('skipped' in outcome) {
      skipped.push(outcome.skipped);
      continue;
    }
    let candidate = outcome.instance;
    const at = byUid.get(candidate.dicom.sopInstanceUid);
    if (at === undefined) {
      byUid.set(candidate.dicom.sopInstanceUid, instances.length);
      instances.push(candidate);
      continue;
    }
    // Keep the copy the DICOMDIR lists (the CD's own), else the first found.
    let kept = instances[at]!;
    if (isListed(candidate) && !isListed(kept)) [kept, candidate] = [candidate, kept];
    instances[at] = kept;
    const identical = await sameContent(files[kept.index]!, files[candidate.index]!);
    duplicates.push({ path: candidate.path, keptPath: kept.path, sopInstanceUid: candidate.dicom.sopInstanceUid, identical });
    skipped.push({
      path: candidate.path,
      reason: identical ? `identical copy of ${kept.path}` : `same SOP Instance UID as ${kept.path} but different content; only ${kept.path} is sent`,
    });
  }

  const dicomdir = index && crossCheck(index, files, instances);
  return {
    instances,
    skipped,
    warnings: scanWarnings(instances, duplicates, dicomdir),
    duplicates,
    dicomdir,
    bytes: instances.reduce((sum, i) => sum + i.size, 0),
  };
}

interface Indexes {
  readonly paths: string[];
  readonly entries: DicomdirEntry[];
  readonly problems: string[];
}

/** Every DICOMDIR among the files (a drop may hold several CDs), read; undefined when there is none. */
async function readIndexes(files: readonly SourceFile[]): Promise<Indexes | undefined> {
  const dicomdirs = files.filter((file) => isDicomdirPath(file.path));
  if (dicomdirs.length === 0) return undefined;
  const entries: DicomdirEntry[] = [];
  const problems: string[] = [];
  for (const file of dicomdirs) {
    const contents = await readDicomdir(file);
    entries.push(...contents.entries);
    problems.push(...contents.problems);
  }
  return { paths: dicomdirs.map((file) => file.path), entries, problems };
}

/** Compares the DICOMDIR(s) with the files: missing references, unlisted instances, UIDs that disagree. */
function crossCheck(index: Indexes, files: readonly SourceFile[], instances: readonly ScannedInstance[]): DicomdirReport {
  const problems = [...index.problems];
  const fileKeys = new Set(files.map((file) => pathKey(file.path)));
  const instanceByKey = new Map(instances.map((instance) => [pathKey(instance.path), instance]));
  const listedKeys = new Set<string>();
  const missing: string[] = [];
  for (const entry of index.entries) {
    const key = pathKey(entry.path);
    listedKeys.add(key);
    if (!fileKeys.has(key)) {
      missing.push(entry.path);
      continue;
    }
    const instance = instanceByKey.get(key);
    if (instance && entry.sopInstanceUid && entry.sopInstanceUid !== instance.dicom.sopInstanceUid) {
      problems.push(`${instance.path}: the DICOMDIR names SOP Instance UID ${entry.sopInstanceUid}, the file holds ${instance.dicom.sopInstanceUid}`);
    }
  }
  const unlisted = instances.filter((instance) => !listedKeys.has(pathKey(instance.path))).map((instance) => instance.path);
  return { paths: index.paths, listed: index.entries.length, missing, unlisted, problems };
}

/** The scanned instances as the send pipeline takes them (plan-shipment.ts), given the same files list. */
export function sendInstances(scan: Pick<ScanResult, 'instances'>, files: readonly SourceFile[]): SendInstance[] {
  return scan.instances.map((instance) => ({ file: files[instance.index]!, dicom: instance.dicom }));
}
