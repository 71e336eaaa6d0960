/**
 * Writes the DICOMDIR of the synthetic CD (PS3.10 §8, PS3.3 F.3 Basic Directory IOD): PATIENT > STUDY > SERIES >
 * IMAGE / ENCAP DOC records in one Directory Record Sequence, linked by byte offsets measured from the first byte
 * of the file (preamble included), as DCMTK and every viewer read them.
 */
import { writeFileSync } from 'node:fs';
import { concat } from './bytes.ts';
import { elementHeader, encodeDataset, filePreambleAndMeta, ITEM, type Element } from './encode.ts';
import { derivedUid } from './random.ts';
import type { TestPatient } from './people.ts';

export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

export interface DirectoryRecord {
  type: 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE' | 'ENCAP DOC';
  /** Key attributes of the record (PS3.3 F.5), without the 0004 group. */
  keys: Element[];
  children: DirectoryRecord[];
  /** Specific Character Set of the record's text, when not ASCII. */
  patient?: TestPatient;
}

const ul = (tag: number, value: number): Element => ({ tag, vr: 'UL', value });

function flatten(records: DirectoryRecord[], out: DirectoryRecord[] = []): DirectoryRecord[] {
  for (const record of records) {
    out.push(record);
    flatten(record.children, out);
  }
  return out;
}

function recordBody(record: DirectoryRecord, next: number, lower: number): Uint8Array {
  const charset = record.patient?.charset ?? 'latin1';
  const elements: Element[] = [
    ul(0x00041400, next),
    { tag: 0x00041410, vr: 'US', value: 0xffff }, // record in use
    ul(0x00041420, lower),
    { tag: 0x00041430, vr: 'CS', value: record.type },
    ...(record.patient ? [{ tag: 0x00080005, vr: 'CS', value: record.patient.specificCharacterSet }] : []),
    ...record.keys,
  ];
  return encodeDataset(elements, { explicit: true, charset });
}

/** Writes `records` (the root PATIENT records) as a DICOMDIR file at `file`. */
export function writeDicomdir(file: string, records: DirectoryRecord[], seed: string): void {
  const all = flatten(records);
  const head = filePreambleAndMeta(MEDIA_STORAGE_DIRECTORY, derivedUid(seed, 'dicomdir'), '1.2.840.10008.1.2.1');
  const prefix = (first: number, last: number) =>
    encodeDataset(
      [
        { tag: 0x00041130, vr: 'CS', value: 'BEELDPOORT' },
        ul(0x00041200, first),
        ul(0x00041202, last),
        { tag: 0x00041212, vr: 'US', value: 0 }, // no known inconsistencies
      ],
      { explicit: true, charset: 'latin1' },
    );
  // Sizes do not depend on offset values (all UL), so lay out once with zeros, then encode with the offsets.
  const sizes = all.map((record) => recordBody(record, 0, 0).length + 8);
  let position = head.length + prefix(0, 0).length + 12; // 12: the SQ element header
  const offsets = new Map<DirectoryRecord, number>();
  all.forEach((record, index) => {
    offsets.set(record, position);
    position += sizes[index]!;
  });
  const items: Uint8Array[] = [];
  const indexOf = new Map(all.map((record, index) => [record, index]));
  const link = (siblings: DirectoryRecord[]) => {
    siblings.forEach((record, index) => {
      const next = siblings[index + 1] ? offsets.get(siblings[index + 1]!)! : 0;
      const lower = record.children[0] ? offsets.get(record.children[0])! : 0;
      const body = recordBody(record, next, lower);
      items[indexOf.get(record)!] = concat([elementHeader(ITEM, '', body.length, true), body]);
      link(record.children);
    });
  };
  link(records);
  const sequence = concat(items);
  const first = records[0] ? offsets.get(records[0])! : 0;
  const last = records.length ? offsets.get(records[records.length - 1]!)! : 0;
  writeFileSync(file, concat([head, prefix(first, last), elementHeader(0x00041220, 'SQ', sequence.length, true), sequence]));
}
