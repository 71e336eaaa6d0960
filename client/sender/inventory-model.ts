/**
 * The compact study-level inventory the clerk confirms (issue 7 item 4): patients, studies (date, description,
 * modalities), series with instance counts, skipped files with reasons, and the selection (studies or series
 * can be left out). Pure functions over the scanner's output, so they are unit-tested without a browser.
 */
import type { ScannedInstance as ScannerInstance } from '../../shared/send/scan.ts';
import type { PatientSummary, ShipmentSummary, SkippedFile, StudySummary } from '../../shared/format/index.ts';

/** One DICOM instance found on the CD, as the shared scanner reports it (structured-cloneable). */
export type ScannedInstance = Pick<ScannerInstance, 'index' | 'path' | 'size' | 'dicom' | 'patient' | 'study' | 'series'>;

export interface ScanOutput {
  readonly instances: readonly ScannedInstance[];
  readonly skipped: readonly SkippedFile[];
  /** Remarks about the CD as a whole (inconsistent DICOMDIR, duplicates…), already in plain words. */
  readonly warnings: readonly string[];
}

export interface SeriesGroup {
  readonly uid: string;
  readonly number: string;
  readonly description: string;
  readonly modality: string;
  readonly instances: number;
  readonly bytes: number;
}

export interface StudyGroup {
  readonly uid: string;
  readonly patientKey: string;
  readonly date: string;
  readonly description: string;
  readonly accession: string;
  readonly modalities: readonly string[];
  readonly series: readonly SeriesGroup[];
}

export interface PatientGroup {
  readonly key: string;
  readonly name: string;
  readonly id: string;
  readonly birthDate: string;
  readonly issuer?: string;
  readonly studies: number;
}

export interface Inventory {
  readonly patients: readonly PatientGroup[];
  readonly studies: readonly StudyGroup[];
  readonly skipped: readonly SkippedFile[];
  readonly warnings: readonly string[];
}

/** Patients are told apart by ID + issuer + name + birth date: a CD may carry two people with the same ID. */
export function patientKey(patient: ScannedInstance['patient']): string {
  return JSON.stringify([patient.id.trim(), patient.issuer?.trim() ?? '', patient.name.trim().toUpperCase(), patient.birthDate.trim()]);
}

export function buildInventory(scan: ScanOutput): Inventory {
  const patients = new Map<string, { group: Omit<PatientGroup, 'studies'>; studies: Set<string> }>();
  const studies = new Map<string, { study: Omit<StudyGroup, 'series' | 'modalities'>; series: Map<string, { group: Omit<SeriesGroup, 'instances' | 'bytes'>; instances: number; bytes: number }> }>();
  for (const instance of scan.instances) {
    const key = patientKey(instance.patient);
    let patient = patients.get(key);
    if (!patient) {
      patient = { group: { key, name: instance.patient.name, id: instance.patient.id, birthDate: instance.patient.birthDate, ...(instance.patient.issuer ? { issuer: instance.patient.issuer } : {}) }, studies: new Set() };
      patients.set(key, patient);
    }
    patient.studies.add(instance.dicom.studyInstanceUid);
    let study = studies.get(instance.dicom.studyInstanceUid);
    if (!study) {
      study = {
        study: { uid: instance.dicom.studyInstanceUid, patientKey: key, date: instance.study.date, description: instance.study.description, accession: instance.study.accession },
        series: new Map(),
      };
      studies.set(instance.dicom.studyInstanceUid, study);
    }
    let series = study.series.get(instance.dicom.seriesInstanceUid);
    if (!series) {
      series = { group: { uid: instance.dicom.seriesInstanceUid, number: instance.series.number, description: instance.series.description, modality: instance.series.modality }, instances: 0, bytes: 0 };
      study.series.set(instance.dicom.seriesInstanceUid, series);
    }
    series.instances += 1;
    series.bytes += instance.size;
  }
  const studyGroups: StudyGroup[] = [...studies.values()].map(({ study, series }) => {
    const list = [...series.values()]
      .map(({ group, instances, bytes }) => ({ ...group, instances, bytes }))
      .sort((a, b) => (Number(a.number) || 0) - (Number(b.number) || 0) || a.uid.localeCompare(b.uid));
    const modalities = [...new Set(list.map((s) => s.modality).filter(Boolean))].sort();
    return { ...study, modalities, series: list };
  });
  studyGroups.sort((a, b) => a.patientKey.localeCompare(b.patientKey) || b.date.localeCompare(a.date) || a.uid.localeCompare(b.uid));
  return {
    patients: [...patients.values()].map(({ group, studies: s }) => ({ ...group, studies: s.size })),
    studies: studyGroups,
    skipped: scan.skipped,
    warnings: scan.warnings,
  };
}

/** The clerk's choice: the series left out (a study is left out when all its series are). */
export type Deselection = ReadonlySet<string>;

export function isStudySelected(study: StudyGroup, deselected: Deselection): boolean {
  return study.series.some((series) => !deselected.has(series.uid));
}

export interface SelectionTotals {
  readonly patients: number;
  readonly studies: number;
  readonly series: number;
  readonly instances: number;
  readonly bytes: number;
}

export function selectionTotals(inventory: Inventory, deselected: Deselection): SelectionTotals {
  let studies = 0;
  let series = 0;
  let instances = 0;
  let bytes = 0;
  const patients = new Set<string>();
  for (const study of inventory.studies) {
    const chosen = study.series.filter((s) => !deselected.has(s.uid));
    if (chosen.length === 0) continue;
    studies += 1;
    patients.add(study.patientKey);
    series += chosen.length;
    for (const s of chosen) {
      instances += s.instances;
      bytes += s.bytes;
    }
  }
  return { patients: patients.size, studies, series, instances, bytes };
}

/** The instances to send, in CD order. */
export function selectedInstances(scan: ScanOutput, deselected: Deselection): ScannedInstance[] {
  return scan.instances.filter((instance) => !deselected.has(instance.dicom.seriesInstanceUid));
}

/**
 * The manifest's summary (shared/format ShipmentSummary) of what is actually sent: only selected studies and
 * their patients; left-out instances are listed as skipped so the receiving radiologist knows they exist.
 */
export function shipmentSummary(scan: ScanOutput, inventory: Inventory, deselected: Deselection): ShipmentSummary {
  const chosenStudies = inventory.studies.filter((study) => isStudySelected(study, deselected));
  const patientKeys = new Set(chosenStudies.map((study) => study.patientKey));
  const patients: PatientSummary[] = inventory.patients
    .filter((patient) => patientKeys.has(patient.key))
    .map((patient) => ({ name: patient.name, id: patient.id, birthDate: patient.birthDate, ...(patient.issuer ? { issuer: patient.issuer } : {}) }));
  const patientIdOf = new Map(inventory.patients.map((patient) => [patient.key, patient.id]));
  const studies: StudySummary[] = chosenStudies.map((study) => {
    const chosen = study.series.filter((s) => !deselected.has(s.uid));
    return {
      studyInstanceUid: study.uid,
      date: study.date,
      description: study.description,
      modalities: [...new Set(chosen.map((s) => s.modality).filter(Boolean))].sort(),
      accession: study.accession,
      patientId: patientIdOf.get(study.patientKey) ?? '',
      series: chosen.length,
      instances: chosen.reduce((sum, s) => sum + s.instances, 0),
    };
  });
  const left = scan.instances.filter((instance) => deselected.has(instance.dicom.seriesInstanceUid));
  return {
    patients,
    studies,
    series: studies.reduce((sum, study) => sum + study.series, 0),
    instances: studies.reduce((sum, study) => sum + study.instances, 0),
    skipped: [...scan.skipped, ...left.map((instance) => ({ path: instance.path, reason: 'left out by the sender' }))],
  };
}
