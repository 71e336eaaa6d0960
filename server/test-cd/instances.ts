/**
 * The attributes of each kind of instance on the synthetic CD: CT and MR images, a secondary capture and an
 * encapsulated PDF report. Realistic enough for viewers, PACS and our scanner; pixel data is added by the writer.
 */
import type { Element } from './encode.ts';
import type { TestPatient } from './people.ts';
import { INSTITUTION } from './people.ts';

export const SOP_CLASS = {
  ct: '1.2.840.10008.5.1.4.1.1.2',
  mr: '1.2.840.10008.5.1.4.1.1.4',
  secondaryCapture: '1.2.840.10008.5.1.4.1.1.7',
  encapsulatedPdf: '1.2.840.10008.5.1.4.1.1.104.1',
} as const;

export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  rle: '1.2.840.10008.1.2.5',
} as const;

export interface StudyFacts {
  patient: TestPatient;
  studyInstanceUid: string;
  studyId: string;
  date: string;
  time: string;
  accession: string;
  description: string;
}

export interface SeriesFacts {
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  number: number;
  modality: 'CT' | 'MR' | 'OT' | 'DOC';
  description: string;
}

/** Patient, study and series modules shared by every instance (PS3.3 C.7.1.1, C.7.2.1, C.7.3.1). */
export function commonElements(study: StudyFacts, series: SeriesFacts, sopClassUid: string, sopInstanceUid: string, instanceNumber: number): Element[] {
  const p = study.patient;
  return [
    { tag: 0x00080005, vr: 'CS', value: p.specificCharacterSet },
    { tag: 0x00080012, vr: 'DA', value: study.date },
    { tag: 0x00080016, vr: 'UI', value: sopClassUid },
    { tag: 0x00080018, vr: 'UI', value: sopInstanceUid },
    { tag: 0x00080020, vr: 'DA', value: study.date },
    { tag: 0x00080021, vr: 'DA', value: study.date },
    { tag: 0x00080023, vr: 'DA', value: study.date },
    { tag: 0x00080030, vr: 'TM', value: study.time },
    { tag: 0x00080031, vr: 'TM', value: study.time },
    { tag: 0x00080033, vr: 'TM', value: study.time },
    { tag: 0x00080050, vr: 'SH', value: study.accession },
    { tag: 0x00080060, vr: 'CS', value: series.modality },
    { tag: 0x00080070, vr: 'LO', value: 'Beeldpoort' },
    { tag: 0x00080080, vr: 'LO', value: INSTITUTION },
    { tag: 0x00080090, vr: 'PN', value: 'Bakker^Sanne^^dr.' },
    { tag: 0x00081030, vr: 'LO', value: study.description },
    { tag: 0x0008103e, vr: 'LO', value: series.description },
    // A private block as vendors write them (PS3.5 §7.8.1): creator at (0009,0010), data at (0009,10xx).
    { tag: 0x00090010, vr: 'LO', value: 'BEELDPOORT TESTCD' },
    { tag: 0x00091001, vr: 'LO', value: `serie ${series.number} beeld ${instanceNumber}` },
    { tag: 0x00091002, vr: 'UL', value: instanceNumber },
    { tag: 0x00100010, vr: 'PN', value: p.name },
    { tag: 0x00100020, vr: 'LO', value: p.id },
    { tag: 0x00100030, vr: 'DA', value: p.birthDate },
    { tag: 0x00100040, vr: 'CS', value: p.sex },
    { tag: 0x0020000d, vr: 'UI', value: study.studyInstanceUid },
    { tag: 0x0020000e, vr: 'UI', value: series.seriesInstanceUid },
    { tag: 0x00200010, vr: 'SH', value: study.studyId },
    { tag: 0x00200011, vr: 'IS', value: String(series.number) },
    { tag: 0x00200013, vr: 'IS', value: String(instanceNumber) },
  ];
}

/** CT or MR image attributes without the pixel data (PS3.3 C.7.6.2, C.7.6.3, C.8.2.1, C.8.3.1). */
export function imageElements(series: SeriesFacts, rows: number, instanceNumber: number): Element[] {
  const ct = series.modality === 'CT';
  const z = (instanceNumber - 1) * 1.25;
  const elements: Element[] = [
    { tag: 0x00080008, vr: 'CS', value: ['ORIGINAL', 'PRIMARY', 'AXIAL'] },
    { tag: 0x00180050, vr: 'DS', value: ct ? '1.25' : '3' },
    { tag: 0x00200032, vr: 'DS', value: ['-250', '-250', z.toFixed(2)] },
    { tag: 0x00200037, vr: 'DS', value: ['1', '0', '0', '0', '1', '0'] },
    { tag: 0x00200052, vr: 'UI', value: series.frameOfReferenceUid },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: rows },
    { tag: 0x00280011, vr: 'US', value: rows },
    { tag: 0x00280030, vr: 'DS', value: ['0.976562', '0.976562'] },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 12 },
    { tag: 0x00280102, vr: 'US', value: 11 },
    { tag: 0x00280103, vr: 'US', value: 0 },
  ];
  if (ct) {
    elements.push(
      { tag: 0x00180060, vr: 'DS', value: '120' },
      { tag: 0x00281050, vr: 'DS', value: '40' },
      { tag: 0x00281051, vr: 'DS', value: '400' },
      { tag: 0x00281052, vr: 'DS', value: '-1024' },
      { tag: 0x00281053, vr: 'DS', value: '1' },
      // A sequence, so parsers meet one on every CD (PS3.3 C.4.10 Procedure Code Sequence).
      {
        tag: 0x00081032,
        vr: 'SQ',
        value: [[
          { tag: 0x00080100, vr: 'SH', value: 'CTTHOR' },
          { tag: 0x00080102, vr: 'SH', value: 'L' },
          { tag: 0x00080104, vr: 'LO', value: 'CT thorax' },
        ]],
      },
    );
  } else {
    elements.push(
      { tag: 0x00180020, vr: 'CS', value: 'SE' },
      { tag: 0x00180021, vr: 'CS', value: 'NONE' },
      { tag: 0x00180022, vr: 'CS', value: '' },
      { tag: 0x00180023, vr: 'CS', value: '2D' },
      { tag: 0x00180080, vr: 'DS', value: '500' },
      { tag: 0x00180081, vr: 'DS', value: '15' },
      { tag: 0x00180087, vr: 'DS', value: '1.5' },
      { tag: 0x00180091, vr: 'IS', value: '1' },
    );
  }
  return elements;
}

/** Secondary capture of an 8-bit RGB screenshot (PS3.3 A.8.1, C.8.6). */
export function secondaryCaptureElements(size: number): Element[] {
  return [
    { tag: 0x00080064, vr: 'CS', value: 'WSD' },
    { tag: 0x00280002, vr: 'US', value: 3 },
    { tag: 0x00280004, vr: 'CS', value: 'RGB' },
    { tag: 0x00280006, vr: 'US', value: 0 },
    { tag: 0x00280010, vr: 'US', value: size },
    { tag: 0x00280011, vr: 'US', value: size },
    { tag: 0x00280100, vr: 'US', value: 8 },
    { tag: 0x00280101, vr: 'US', value: 8 },
    { tag: 0x00280102, vr: 'US', value: 7 },
    { tag: 0x00280103, vr: 'US', value: 0 },
  ];
}

/** Encapsulated PDF report (PS3.3 A.45.1, C.24.2). */
export function encapsulatedPdfElements(pdf: Uint8Array, title: string): Element[] {
  return [
    { tag: 0x00080064, vr: 'CS', value: 'WSD' },
    { tag: 0x00280301, vr: 'CS', value: 'YES' },
    { tag: 0x00420010, vr: 'ST', value: title },
    { tag: 0x00420011, vr: 'OB', value: pdf },
    { tag: 0x00420012, vr: 'LO', value: 'application/pdf' },
    { tag: 0x0040a043, vr: 'SQ', value: [] },
  ];
}
