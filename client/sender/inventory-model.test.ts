import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildInventory, selectedInstances, selectionTotals, shipmentSummary, type ScanOutput, type ScannedInstance } from './inventory-model.ts';
import { preselectResumed } from './resume-selection.ts';
import type { ResumeState, ResumeStore } from '../../shared/send/index.ts';

function instance(index: number, patient: string, study: string, series: string, modality = 'CT', size = 1000): ScannedInstance {
  return {
    index,
    path: `DICOM/${study}/${series}/IM${index}`,
    size,
    dicom: { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `1.2.3.${index}`, studyInstanceUid: study, seriesInstanceUid: series, transferSyntaxUid: '1.2.840.10008.1.2.1' },
    patient: { name: `${patient}^JAN`, id: `ID-${patient}`, birthDate: '19700101' },
    study: { date: study === '1.1' ? '20260101' : '20260301', description: `Study ${study}`, accession: `A${study}` },
    series: { number: series.slice(-1), description: `Series ${series}`, modality },
  };
}

const scan: ScanOutput = {
  instances: [
    instance(0, 'DOE', '1.1', '1.1.1'),
    instance(1, 'DOE', '1.1', '1.1.1'),
    instance(2, 'DOE', '1.1', '1.1.2', 'MR', 2000),
    instance(3, 'ROE', '1.2', '1.2.1', 'CT', 500),
  ],
  skipped: [{ path: 'README.TXT', reason: 'not a DICOM file' }],
  warnings: [],
};

test('groups instances into patients, studies and series with counts and sizes', () => {
  const inventory = buildInventory(scan);
  assert.equal(inventory.patients.length, 2);
  const study = inventory.studies.find((s) => s.uid === '1.1')!;
  assert.deepEqual(study.modalities, ['CT', 'MR']);
  assert.deepEqual(study.series.map((s) => [s.uid, s.instances, s.bytes]), [['1.1.1', 2, 2000], ['1.1.2', 1, 2000]]);
  assert.deepEqual(selectionTotals(inventory, new Set()), { patients: 2, studies: 2, series: 3, instances: 4, bytes: 4500 });
});

test('a deselected series is left out of the instances, the totals and the manifest summary, and listed as skipped', () => {
  const inventory = buildInventory(scan);
  const deselected = new Set(['1.2.1']);
  assert.deepEqual(selectedInstances(scan, deselected).map((i) => i.index), [0, 1, 2]);
  assert.deepEqual(selectionTotals(inventory, deselected), { patients: 1, studies: 1, series: 2, instances: 3, bytes: 4000 });
  const summary = shipmentSummary(scan, inventory, deselected);
  assert.deepEqual(summary.patients.map((p) => p.id), ['ID-DOE']);
  assert.deepEqual(summary.studies.map((s) => [s.studyInstanceUid, s.series, s.instances, s.patientId]), [['1.1', 2, 3, 'ID-DOE']]);
  assert.equal(summary.instances, 3);
  assert.deepEqual(summary.skipped.map((s) => s.path), ['README.TXT', 'DICOM/1.2/1.2.1/IM3']);
});

test('after a reload, the files of the interrupted shipment are preselected; another CD selects everything', async () => {
  const saved = {
    version: 1, linkId: 'L', shipmentId: 'S', secret: 'x', envelope: {}, createdAt: '2026-01-01T00:00:00Z',
    files: [0, 1, 2].map((i) => ({ path: scan.instances[i]!.path, plainSize: scan.instances[i]!.size, sha256: '0'.repeat(64), fileId: `f${i}`, size: 1 })),
  } as ResumeState;
  const store: ResumeStore = { load: async () => saved, save: async () => {}, remove: async () => {} };
  const link = { linkId: 'L' } as Parameters<typeof preselectResumed>[1];
  assert.deepEqual([...(await preselectResumed(store, link, scan))], ['1.2.1']);
  const other: ScanOutput = { ...scan, instances: scan.instances.map((i) => ({ ...i, size: i.size + 1 })) };
  assert.deepEqual([...(await preselectResumed(store, link, other))], []);
});
