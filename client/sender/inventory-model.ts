/**
 * The compact study-level inventory the clerk confirms (issue 7 item 4): patients, studies (date, description,
 * modalities), series with instance counts, skipped files with reasons, and the selection (studies or series
 * can be left out). Pure functions over the scanner's output, so they are unit-tested without a browser.
 */
import type { ScannedInstance as ScannerInstance } from '../../shared/send/scan.ts';
import type { PatientSummary, ShipmentSummary, SkippedFile, StudySummary } from '../../shared/format/index.ts';
import { buildInventory as buildSharedInventory, type InventoryPatient } from '../../shared/send/inventory.ts';

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

/** Patients are told apart by ID + issuer + name + birth date (`key`): a CD may carry two people with the same ID. */
export type PatientGroup = InventoryPatient;

export interface Inventory {
  readonly patients: readonly PatientGroup[];
  readonly studies: readonly StudyGroup[];
  readonly skipped: readonly SkippedFile[];
  readonly warnings: readonly string[];
}

/**
 * The shared inventory (the one `beeldpoort send` prints) in the page's shape: studies newest first within a
 * patient, series and studies keyed by `uid`.
 */
export function buildInventory(scan: ScanOutput): Inventory {
  const inventory = buildSharedInventory(scan);
  const studies: StudyGroup[] = inventory.studies.map((study) => ({
    uid: study.studyInstanceUid,
    patientKey: study.patientKey,
    date: study.date,
    description: study.description,
    accession: study.accession,
    modalities: study.modalities,
    series: study.series.map((series) => ({
      uid: series.seriesInstanceUid,
      number: series.number,
      description: series.description,
      modality: series.modality,
      instances: series.instances,
      bytes: series.bytes,
    })),
  }));
  studies.sort((a, b) => a.patientKey.localeCompare(b.patientKey) || b.date.localeCompare(a.date) || a.uid.localeCompare(b.uid));
  return { patients: inventory.patients, studies, skipped: scan.skipped, warnings: scan.warnings };
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
