/**
 * The remarks a clerk must see before sending, in plain words: more than one patient on the CD (the classic
 * wrong-patient risk), data that contradicts itself (one study under two patients, one series in two studies),
 * different objects sharing a SOP Instance UID, and a DICOMDIR that does not match the files.
 */
import type { DicomdirReport, DuplicateInstance, ScannedInstance } from './scan.ts';

function sample(list: readonly string[], max = 5): string {
  return list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}

/** Patients are told apart by ID, issuer, name and birth date: two people may share an ID across hospitals. */
export function patientKeyOf(patient: ScannedInstance['patient']): string {
  return JSON.stringify([patient.id.trim(), patient.issuer?.trim() ?? '', patient.name.trim().toUpperCase(), patient.birthDate.trim()]);
}

export function scanWarnings(instances: readonly ScannedInstance[], duplicates: readonly DuplicateInstance[], dicomdir: DicomdirReport | undefined): string[] {
  const warnings: string[] = [];
  const patients = new Map<string, ScannedInstance['patient']>();
  const studyPatients = new Map<string, Set<string>>();
  const seriesStudies = new Map<string, Set<string>>();
  for (const instance of instances) {
    const key = patientKeyOf(instance.patient);
    patients.set(key, instance.patient);
    const inStudy = studyPatients.get(instance.dicom.studyInstanceUid) ?? new Set();
    inStudy.add(key);
    studyPatients.set(instance.dicom.studyInstanceUid, inStudy);
    const ofSeries = seriesStudies.get(instance.dicom.seriesInstanceUid) ?? new Set();
    ofSeries.add(instance.dicom.studyInstanceUid);
    seriesStudies.set(instance.dicom.seriesInstanceUid, ofSeries);
  }
  if (patients.size > 1) {
    const names = [...patients.values()].map((p) => `${p.name || '(no name)'} (${p.id || 'no ID'}${p.birthDate ? `, ${p.birthDate}` : ''})`);
    warnings.push(`This CD holds ${patients.size} different patients: ${sample(names)}. Check that every one of them should be sent.`);
  }
  for (const [study, keys] of studyPatients) {
    if (keys.size > 1) warnings.push(`Study ${study} appears under ${keys.size} different patients: the data on this CD is inconsistent.`);
  }
  for (const [series, studies] of seriesStudies) {
    if (studies.size > 1) warnings.push(`Series ${series} appears in ${studies.size} different studies: the data on this CD is inconsistent.`);
  }
  const conflicts = duplicates.filter((d) => !d.identical);
  if (conflicts.length > 0) {
    warnings.push(`${conflicts.length} file(s) share a SOP Instance UID with a different file: ${sample(conflicts.map((d) => `${d.path} (kept ${d.keptPath})`))}. Only the first of each is sent.`);
  }
  if (dicomdir) {
    if (dicomdir.missing.length > 0) warnings.push(`The DICOMDIR lists ${dicomdir.missing.length} file(s) that are not on the CD: ${sample(dicomdir.missing)}.`);
    if (dicomdir.unlisted.length > 0) warnings.push(`${dicomdir.unlisted.length} DICOM file(s) are not listed in the DICOMDIR (they are sent anyway): ${sample(dicomdir.unlisted)}.`);
    warnings.push(...dicomdir.problems);
  }
  return warnings;
}
