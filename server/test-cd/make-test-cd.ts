/**
 * The synthetic patient CD (IHE PDI layout): DICOMDIR at the root, 8-character upper-case extensionless names in
 * nested folders, CT and MR series, a secondary capture and an encapsulated PDF per study, several transfer
 * syntaxes (explicit and implicit VR LE, RLE lossless, deflated), a file without preamble and meta, private tags,
 * Dutch names under the right character set, and the usual junk. Deterministic for a seed. Pixel data is written
 * straight from a reused buffer, so ~700 MB take seconds, not minutes.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { elementHeader, encodeDataset, filePreambleAndMeta, ITEM, SEQUENCE_DELIMITATION, type Element } from './encode.ts';
import { commonElements, encapsulatedPdfElements, imageElements, secondaryCaptureElements, SOP_CLASS, TRANSFER_SYNTAX, type SeriesFacts, type StudyFacts } from './instances.ts';
import { PATIENTS, STUDY_DESCRIPTIONS, type TestPatient } from './people.ts';
import { derivedUid, Noise } from './random.ts';
import { encodeRleFrame } from './rle.ts';
import { concat } from './bytes.ts';
import { makePdf } from './pdf.ts';
import { writeDicomdir, type DirectoryRecord } from './dicomdir.ts';
import { writeJunk, type TestCdJunk } from './junk.ts';

export interface TestCdOptions {
  /** Studies on the CD (default 1); spread over the patients. */
  studies?: number;
  /** Image series per study (default 3), alternating CT and MR; a secondary capture and a PDF come on top. */
  series?: number;
  /** Images per image series (default 10). */
  images?: number;
  /** Rows (= columns) of CT and MR images (default 512, 16 bits: 512 KiB per image). */
  rows?: number;
  /** Seed for every UID and noise byte (default "1"). */
  seed?: string | number;
  /** Patients on the CD (default 1, at most 3): more than one is what a sender must warn about. */
  patients?: number;
}

export interface TestCdInstance {
  /** Absolute path. */
  path: string;
  /** Relative to the CD root, `/`-separated (as in the DICOMDIR, with `\` there). */
  relativePath: string;
  size: number;
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  transferSyntaxUid: string;
  /** False for the old-style file without preamble and file meta (a bare implicit VR LE data set). */
  hasPreamble: boolean;
  patientId: string;
  modality: string;
}

export interface TestCd {
  root: string;
  dicomdir: string;
  instances: TestCdInstance[];
  junk: TestCdJunk[];
  patients: Array<{ id: string; name: string; birthDate: string; specificCharacterSet: string }>;
  studies: Array<{ studyInstanceUid: string; patientId: string; date: string; description: string; accession: string; modalities: string[]; series: number; instances: number }>;
  /** Total bytes written, junk and DICOMDIR included. */
  bytes: number;
}

const IMAGE_SYNTAXES = [TRANSFER_SYNTAX.explicitLittle, TRANSFER_SYNTAX.implicitLittle, TRANSFER_SYNTAX.rle];
const name8 = (prefix: string, n: number) => `${prefix}${String(n).padStart(8 - prefix.length, '0')}`;

/** The pixel data element: native (OW, defined length) or encapsulated (PS3.5 A.4: offset table + fragments). */
function pixelDataParts(pixels: Uint8Array, syntax: string, rows: number, explicit: boolean): Uint8Array[] {
  if (syntax !== TRANSFER_SYNTAX.rle) return [elementHeader(0x7fe00010, 'OW', pixels.length, explicit), pixels];
  const fragment = encodeRleFrame(pixels, rows, rows, 2);
  return [
    elementHeader(0x7fe00010, 'OB', 0xffffffff, true),
    elementHeader(ITEM, '', 0, true), // empty Basic Offset Table
    elementHeader(ITEM, '', fragment.length, true),
    fragment,
    elementHeader(SEQUENCE_DELIMITATION, '', 0, true),
  ];
}

function writeParts(file: string, parts: Uint8Array[]): number {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  let size = 0;
  try {
    for (const part of parts) size += writeSync(fd, part);
  } finally {
    closeSync(fd);
  }
  return size;
}

export async function makeTestCd(outDir: string, options: TestCdOptions = {}): Promise<TestCd> {
  const patientCount = Math.min(options.patients ?? 1, PATIENTS.length);
  const studyCount = Math.max(options.studies ?? 1, patientCount);
  const seriesCount = options.series ?? 3;
  const imageCount = options.images ?? 10;
  const rows = options.rows ?? 512;
  const seed = String(options.seed ?? '1');
  const root = path.resolve(outDir);
  mkdirSync(root, { recursive: true });

  const cd: TestCd = { root, dicomdir: path.join(root, 'DICOMDIR'), instances: [], junk: [], patients: [], studies: [], bytes: 0 };
  const noise = new Noise(seed, 'pixels');
  const pixels = new Uint8Array(Math.ceil((rows * rows * 2) / 4) * 4);
  const patientRecords = new Map<TestPatient, DirectoryRecord>();
  let globalSeries = 0;
  let bareWritten = false;

  for (let s = 0; s < studyCount; s++) {
    const patient = PATIENTS[s % patientCount]!;
    const patientIndex = s % patientCount;
    let patientRecord = patientRecords.get(patient);
    if (!patientRecord) {
      patientRecord = {
        type: 'PATIENT',
        patient,
        children: [],
        keys: [
          { tag: 0x00100010, vr: 'PN', value: patient.name },
          { tag: 0x00100020, vr: 'LO', value: patient.id },
          { tag: 0x00100030, vr: 'DA', value: patient.birthDate },
          { tag: 0x00100040, vr: 'CS', value: patient.sex },
        ],
      };
      patientRecords.set(patient, patientRecord);
      cd.patients.push({ id: patient.id, name: patient.name, birthDate: patient.birthDate, specificCharacterSet: patient.specificCharacterSet });
    }
    const day = 1 + ((s * 7 + noise.below(5)) % 28);
    const study: StudyFacts = {
      patient,
      studyInstanceUid: derivedUid(seed, `study ${s}`),
      studyId: String(1000 + s),
      date: `202603${String(day).padStart(2, '0')}`,
      time: `${String(8 + (s % 10)).padStart(2, '0')}1530`,
      accession: `BPA${String(s + 1).padStart(6, '0')}`,
      description: STUDY_DESCRIPTIONS[s % STUDY_DESCRIPTIONS.length]!,
    };
    const studyRecord: DirectoryRecord = {
      type: 'STUDY',
      patient,
      children: [],
      keys: [
        { tag: 0x00080020, vr: 'DA', value: study.date },
        { tag: 0x00080030, vr: 'TM', value: study.time },
        { tag: 0x00080050, vr: 'SH', value: study.accession },
        { tag: 0x00081030, vr: 'LO', value: study.description },
        { tag: 0x0020000d, vr: 'UI', value: study.studyInstanceUid },
        { tag: 0x00200010, vr: 'SH', value: study.studyId },
      ],
    };
    patientRecord.children.push(studyRecord);
    const summary = { studyInstanceUid: study.studyInstanceUid, patientId: patient.id, date: study.date, description: study.description, accession: study.accession, modalities: [] as string[], series: 0, instances: 0 };
    cd.studies.push(summary);
    const folder = ['DICOM', name8('PAT', patientIndex + 1), name8('STU', s + 1)];

    const addSeries = (number: number, modality: SeriesFacts['modality'], description: string) => {
      const series: SeriesFacts = {
        seriesInstanceUid: derivedUid(seed, `series ${s}.${number}`),
        frameOfReferenceUid: derivedUid(seed, `frame ${s}`),
        number,
        modality,
        description,
      };
      const record: DirectoryRecord = {
        type: 'SERIES',
        children: [],
        keys: [
          { tag: 0x00080060, vr: 'CS', value: modality },
          { tag: 0x0020000e, vr: 'UI', value: series.seriesInstanceUid },
          { tag: 0x00200011, vr: 'IS', value: String(number) },
        ],
      };
      studyRecord.children.push(record);
      summary.series++;
      if (!summary.modalities.includes(modality)) summary.modalities.push(modality);
      return { series, record, dir: [...folder, name8('SER', number)] };
    };

    const writeInstance = (
      where: { series: SeriesFacts; record: DirectoryRecord; dir: string[] },
      n: number,
      sopClassUid: string,
      syntax: string,
      elements: Element[],
      tail: (explicit: boolean) => Uint8Array[],
      bare = false,
    ) => {
      const sopInstanceUid = derivedUid(seed, `instance ${s}.${where.series.number}.${n}`);
      const all = [...commonElements(study, where.series, sopClassUid, sopInstanceUid, n), ...elements];
      const explicit = syntax !== TRANSFER_SYNTAX.implicitLittle;
      const dataset = [encodeDataset(all, { explicit, charset: patient.charset }), ...tail(explicit)];
      const body = syntax === TRANSFER_SYNTAX.deflated ? [new Uint8Array(deflateRawSync(concat(dataset)))] : dataset;
      const relative = [...where.dir, name8(where.series.modality === 'DOC' ? 'DOC' : 'IMG', n)];
      const file = path.join(root, ...relative);
      // PS3.10 §7.1 files start with preamble + DICM + meta; the bare one is a data set only, as on old CDs.
      const size = writeParts(file, bare ? body : [filePreambleAndMeta(sopClassUid, sopInstanceUid, syntax), ...body]);
      cd.bytes += size;
      summary.instances++;
      cd.instances.push({
        path: file,
        relativePath: relative.join('/'),
        size,
        sopClassUid,
        sopInstanceUid,
        studyInstanceUid: study.studyInstanceUid,
        seriesInstanceUid: where.series.seriesInstanceUid,
        transferSyntaxUid: syntax,
        hasPreamble: !bare,
        patientId: patient.id,
        modality: where.series.modality,
      });
      where.record.children.push({
        type: where.series.modality === 'DOC' ? 'ENCAP DOC' : 'IMAGE',
        children: [],
        keys: [
          // PS3.3 F.5: ReferencedFileID is a multi-valued CS path of at most 8 components, `\`-separated.
          { tag: 0x00041500, vr: 'CS', value: relative },
          { tag: 0x00041510, vr: 'UI', value: sopClassUid },
          { tag: 0x00041511, vr: 'UI', value: sopInstanceUid },
          { tag: 0x00041512, vr: 'UI', value: syntax },
          { tag: 0x00200013, vr: 'IS', value: String(n) },
        ],
      });
    };

    for (let k = 1; k <= seriesCount; k++) {
      const modality = k % 2 === 1 ? 'CT' : 'MR';
      const syntax = IMAGE_SYNTAXES[globalSeries++ % IMAGE_SYNTAXES.length]!;
      const where = addSeries(k, modality, modality === 'CT' ? 'Thorax 1.25 mm' : 'T2 axiaal');
      const sopClassUid = modality === 'CT' ? SOP_CLASS.ct : SOP_CLASS.mr;
      for (let n = 1; n <= imageCount; n++) {
        noise.fill(pixels, 0x0fff0fff); // 12 bits stored in 16 allocated
        const frame = pixels.subarray(0, rows * rows * 2);
        // The last image of the CD's first series is the old-style bare data set (implicit VR LE by definition).
        const bare = !bareWritten && s === 0 && k === 1 && n === imageCount;
        if (bare) bareWritten = true;
        const fileSyntax = bare ? TRANSFER_SYNTAX.implicitLittle : syntax;
        writeInstance(where, n, sopClassUid, fileSyntax, imageElements(where.series, rows, n), (explicit) => pixelDataParts(frame, fileSyntax, rows, explicit), bare);
      }
    }

    // One secondary capture (deflated explicit VR LE, PS3.5 A.5) and one PDF report per study.
    const scSize = 256;
    const rgb = new Uint8Array(scSize * scSize * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = ((i / 3 / scSize) | 0) ^ (noise.next() & 7);
    const sc = addSeries(seriesCount + 1, 'OT', 'Schermafdruk');
    writeInstance(sc, 1, SOP_CLASS.secondaryCapture, TRANSFER_SYNTAX.deflated, secondaryCaptureElements(scSize), () => [elementHeader(0x7fe00010, 'OB', rgb.length, true), rgb]);
    const doc = addSeries(seriesCount + 2, 'DOC', 'Verslag');
    const pdf = makePdf([`Verslag ${study.description}`, `Patient ${patient.id}`, `Accessienummer ${study.accession}`, 'Synthetisch testverslag.']);
    writeInstance(doc, 1, SOP_CLASS.encapsulatedPdf, TRANSFER_SYNTAX.explicitLittle, encapsulatedPdfElements(pdf, 'Radiologieverslag'), () => []);
  }

  writeDicomdir(cd.dicomdir, [...patientRecords.values()], seed);
  cd.junk = writeJunk(root, new Noise(seed, 'junk'));
  return cd;
}
