/**
 * Reads a DICOMDIR (PS3.10 §8, PS3.3 F.3 Basic Directory IOD) for the scanner's cross-check: which files the CD's
 * index lists, with the SOP Instance UID each record claims. Offsets between records are not followed: the
 * records are read in sequence order, so a broken link cannot loop or skip records. Every ReferencedFileID is
 * untrusted and resolved by referencedPath() (never outside the DICOMDIR's folder).
 */
import dicomParser, { type DataSet } from 'dicom-parser';
import type { PlainFile } from './plan-shipment.ts';
import { dirName, referencedPath } from './scan-rules.ts';

export interface DicomdirEntry {
  /** (0004,1430) Directory Record Type: IMAGE, ENCAP DOC, SR DOCUMENT... */
  readonly recordType: string;
  /** The CD-relative path the record references, '/'-separated (not yet matched against the files). */
  readonly path: string;
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly transferSyntaxUid: string;
}

export interface DicomdirContents {
  readonly entries: DicomdirEntry[];
  /** Records skipped as unsafe or unreadable, in words. */
  readonly problems: string[];
}

const MAX_DICOMDIR_BYTES = 64 * 1024 * 1024;
const RECORD_SEQUENCE = 'x00041220';

function text(dataSet: DataSet, tag: string, index?: number): string {
  try {
    return (dataSet.string(tag, index) ?? '').replace(/\0+$/, '').trim();
  } catch {
    return '';
  }
}

export async function readDicomdir(file: PlainFile): Promise<DicomdirContents> {
  if (file.size > MAX_DICOMDIR_BYTES) return { entries: [], problems: [`${file.path}: DICOMDIR of ${file.size} bytes is too large to read`] };
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(await file.read(0, file.size));
  } catch (error) {
    const message = typeof error === 'string' ? error : error instanceof Error ? error.message : String((error as { exception?: unknown })?.exception ?? error);
    return { entries: [], problems: [`${file.path}: DICOMDIR unreadable (${message})`] };
  }
  const base = dirName(file.path);
  const entries: DicomdirEntry[] = [];
  const problems: string[] = [];
  for (const item of dataSet.elements[RECORD_SEQUENCE]?.items ?? []) {
    const record = item.dataSet;
    if (!record || !record.elements.x00041500) continue; // PATIENT, STUDY, SERIES: no file
    // PS3.3 F.3.2.2: a record whose in-use flag is 0000 is inactive and references nothing.
    if (record.elements.x00041410 && record.uint16('x00041410') === 0) continue;
    const count = record.numStringValues('x00041500') ?? 0;
    const components = Array.from({ length: count }, (_, i) => text(record, 'x00041500', i));
    const path = referencedPath(base, components);
    if (!path) {
      problems.push(`${file.path}: ignored a record with an unsafe file reference "${components.join('\\').slice(0, 120)}"`);
      continue;
    }
    entries.push({
      recordType: text(record, 'x00041430'),
      path,
      sopInstanceUid: text(record, 'x00041511'),
      sopClassUid: text(record, 'x00041510'),
      transferSyntaxUid: text(record, 'x00041512'),
    });
  }
  return { entries, problems };
}
