import type { Manifest } from '../manifest.ts';

/** A small valid manifest v1 (synthetic patient), shared by the golden vectors, the tests and the benchmark. */
export function sampleManifest(shipmentId = 'golden-shipment', fileIds: readonly string[] = ['file-0001', 'file-0002']): Manifest {
  const study = '1.2.826.0.1.3680043.8.498.1';
  const series = `${study}.1`;
  return {
    version: 1,
    shipmentId,
    linkId: 'link-0001',
    purpose: 'consult',
    createdAt: '2026-11-29T20:15:00.000Z',
    statements: {
      consent: { recordedBy: 'A. de Vries, physician assistant', date: '2026-11-28', reference: 'EPD note 4711' },
      comment: 'Second opinion requested.\nPlease call back.',
    },
    files: fileIds.map((fileId, i) => ({
      fileId,
      path: `DICOM/S0001/I${String(i + 1).padStart(4, '0')}`,
      size: 1000 + i,
      sha256: 'ab'.repeat(32),
      dicom: {
        sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
        sopInstanceUid: `${series}.${i + 1}`,
        studyInstanceUid: study,
        seriesInstanceUid: series,
        transferSyntaxUid: '1.2.840.10008.1.2.1',
      },
    })),
    summary: {
      patients: [{ name: 'Jansen^Pieter', id: 'P-0001', birthDate: '19600101', issuer: 'HOSPITAL-A' }],
      studies: [
        {
          studyInstanceUid: study,
          date: '20261127',
          description: 'CT thorax',
          modalities: ['CT'],
          accession: 'ACC-1',
          patientId: 'P-0001',
          series: 1,
          instances: fileIds.length,
        },
      ],
      series: 1,
      instances: fileIds.length,
      skipped: [{ path: 'AUTORUN.INF', reason: 'not DICOM' }],
    },
  };
}
