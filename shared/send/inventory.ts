/**
 * The inventory a sender confirms before anything leaves: patients (name, birth date, ID), studies (date,
 * description, modalities, accession) with their series and instance counts, the files left behind with reasons,
 * and the scan's warnings. Also the manifest's summary (shared/format ShipmentSummary) and a plain-text rendering
 * for `beeldpoort send`. Pure functions over the scan result.
 */
import type { ShipmentSummary, SkippedFile } from '../format/index.ts';
import type { ScanResult, ScannedInstance } from './scan.ts';
import { patientKeyOf } from './scan-warnings.ts';

export interface InventorySeries {
  readonly seriesInstanceUid: string;
  readonly number: string;
  readonly description: string;
  readonly modality: string;
  readonly instances: number;
  readonly bytes: number;
}

export interface InventoryStudy {
  readonly studyInstanceUid: string;
  readonly patientKey: string;
  readonly patientId: string;
  readonly date: string;
  readonly description: string;
  readonly accession: string;
  readonly modalities: readonly string[];
  readonly series: readonly InventorySeries[];
  readonly instances: number;
  readonly bytes: number;
}

export interface InventoryPatient {
  readonly key: string;
  readonly name: string;
  readonly id: string;
  readonly birthDate: string;
  readonly issuer?: string;
  readonly studies: number;
}

export interface Inventory {
  readonly patients: readonly InventoryPatient[];
  readonly studies: readonly InventoryStudy[];
  readonly series: number;
  readonly instances: number;
  readonly bytes: number;
  readonly skipped: readonly SkippedFile[];
  readonly warnings: readonly string[];
}

type MutableSeries = { -readonly [K in keyof InventorySeries]: InventorySeries[K] };

/** What the inventory reads of a scan; the browser's scan results (client/sender) carry only these fields. */
export interface InventoryInput extends Pick<ScanResult, 'skipped' | 'warnings'> {
  readonly instances: ReadonlyArray<Pick<ScannedInstance, 'size' | 'dicom' | 'patient' | 'study' | 'series'>>;
}

export function buildInventory(scan: InventoryInput): Inventory {
  const patients = new Map<string, { patient: Omit<InventoryPatient, 'studies'>; studies: Set<string> }>();
  const studies = new Map<string, { study: Omit<InventoryStudy, 'series' | 'modalities' | 'instances' | 'bytes'>; series: Map<string, MutableSeries> }>();
  for (const instance of scan.instances) {
    const key = patientKeyOf(instance.patient);
    const { name, id, birthDate, issuer } = instance.patient;
    const patient = patients.get(key) ?? { patient: { key, name, id, birthDate, ...(issuer ? { issuer } : {}) }, studies: new Set<string>() };
    patients.set(key, patient);
    patient.studies.add(instance.dicom.studyInstanceUid);
    let study = studies.get(instance.dicom.studyInstanceUid);
    if (!study) {
      study = { study: { studyInstanceUid: instance.dicom.studyInstanceUid, patientKey: key, patientId: id, ...instance.study }, series: new Map() };
      studies.set(instance.dicom.studyInstanceUid, study);
    }
    let series = study.series.get(instance.dicom.seriesInstanceUid);
    if (!series) {
      series = { seriesInstanceUid: instance.dicom.seriesInstanceUid, ...instance.series, instances: 0, bytes: 0 };
      study.series.set(instance.dicom.seriesInstanceUid, series);
    }
    series.instances += 1;
    series.bytes += instance.size;
  }
  const studyList: InventoryStudy[] = [...studies.values()].map(({ study, series }) => {
    const list = [...series.values()].sort((a, b) => (Number(a.number) || 0) - (Number(b.number) || 0) || a.seriesInstanceUid.localeCompare(b.seriesInstanceUid));
    return {
      ...study,
      modalities: [...new Set(list.map((s) => s.modality).filter(Boolean))].sort(),
      series: list,
      instances: list.reduce((n, s) => n + s.instances, 0),
      bytes: list.reduce((n, s) => n + s.bytes, 0),
    };
  });
  studyList.sort((a, b) => a.patientKey.localeCompare(b.patientKey) || a.date.localeCompare(b.date) || a.studyInstanceUid.localeCompare(b.studyInstanceUid));
  return {
    patients: [...patients.values()].map(({ patient, studies: s }) => ({ ...patient, studies: s.size })),
    studies: studyList,
    series: studyList.reduce((n, s) => n + s.series.length, 0),
    instances: studyList.reduce((n, s) => n + s.instances, 0),
    bytes: studyList.reduce((n, s) => n + s.bytes, 0),
    skipped: scan.skipped,
    warnings: scan.warnings,
  };
}

/** The manifest's summary of what is sent (shared/format ShipmentSummary). */
export function inventorySummary(inventory: Inventory): ShipmentSummary {
  return {
    patients: inventory.patients.map(({ name, id, birthDate, issuer }) => ({ name, id, birthDate, ...(issuer ? { issuer } : {}) })),
    studies: inventory.studies.map((study) => ({
      studyInstanceUid: study.studyInstanceUid,
      date: study.date,
      description: study.description,
      modalities: study.modalities,
      accession: study.accession,
      patientId: study.patientId,
      series: study.series.length,
      instances: study.instances,
    })),
    series: inventory.series,
    instances: inventory.instances,
    skipped: inventory.skipped,
  };
}

const formatDate = (da: string) => (/^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}` : da || '?');
const formatName = (pn: string) => pn.split('=')[0]!.replace(/\^+$/, '').replace(/\^/g, ', ') || '(no name)';
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The inventory as lines of plain text (the command-line sender prints these before asking to confirm). */
export function formatInventory(inventory: Inventory): string[] {
  const lines: string[] = [];
  for (const warning of inventory.warnings) lines.push(`WARNING: ${warning}`);
  for (const patient of inventory.patients) {
    lines.push(`Patient ${formatName(patient.name)}, born ${formatDate(patient.birthDate)}, ID ${patient.id || '?'}`);
    for (const study of inventory.studies.filter((s) => s.patientKey === patient.key)) {
      lines.push(`  ${formatDate(study.date)}  ${study.modalities.join('/') || '?'}  ${study.description || '(no description)'}  accession ${study.accession || '-'}: ${study.series.length} series, ${study.instances} instances, ${megabytes(study.bytes)}`);
      for (const series of study.series) {
        lines.push(`    series ${series.number || '?'} ${series.modality} ${series.description}: ${series.instances} instances`);
      }
    }
  }
  lines.push(`Total: ${inventory.patients.length} patient(s), ${inventory.studies.length} studies, ${inventory.series} series, ${inventory.instances} instances, ${megabytes(inventory.bytes)}; ${inventory.skipped.length} file(s) not sent.`);
  return lines;
}
