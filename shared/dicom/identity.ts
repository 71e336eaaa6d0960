/**
 * The identity of an instance as the shipment manifest carries it (shared/format DicomIdentity), and the
 * descriptive attributes the inventory shows, read from a parsed header.
 */
import type { DicomIdentity } from '../format/index.ts';
import { DicomError } from './dicom-error.ts';
import type { DicomHeader } from './read-header.ts';
import { isUid } from './uids.ts';

export interface DicomDescription {
  readonly patient: { readonly name: string; readonly id: string; readonly birthDate: string; readonly issuer?: string };
  readonly study: { readonly date: string; readonly description: string; readonly accession: string };
  readonly series: { readonly number: string; readonly description: string; readonly modality: string };
}

/** SOP Class/Instance, Study/Series Instance UIDs and the transfer syntax; throws E_DICOM_IDENTITY if one is bad. */
export function dicomIdentity(header: DicomHeader): DicomIdentity {
  const uid = (tag: string, name: string, fallback?: string) => {
    const value = header.text(tag).replace(/\0+$/, '') || fallback || '';
    if (!isUid(value)) throw new DicomError('E_DICOM_IDENTITY', value ? `${name} "${value.slice(0, 80)}" is not a valid UID` : `${name} is missing`);
    return value;
  };
  return {
    // (0008,0016) in the data set; the meta group's (0002,0002) stands in when a writer left it out.
    sopClassUid: uid('x00080016', 'SOP Class UID', header.text('x00020002')),
    sopInstanceUid: uid('x00080018', 'SOP Instance UID', header.text('x00020003')),
    studyInstanceUid: uid('x0020000d', 'Study Instance UID'),
    seriesInstanceUid: uid('x0020000e', 'Series Instance UID'),
    transferSyntaxUid: uid('x00020010', 'Transfer Syntax UID', header.transferSyntaxUid),
  };
}

export function dicomDescription(header: DicomHeader): DicomDescription {
  const issuer = header.text('x00100021');
  return {
    patient: { name: header.text('x00100010'), id: header.text('x00100020'), birthDate: header.text('x00100030'), ...(issuer ? { issuer } : {}) },
    study: { date: header.text('x00080020'), description: header.text('x00081030'), accession: header.text('x00080050') },
    series: { number: header.text('x00200011'), description: header.text('x0008103e'), modality: header.text('x00080060') },
  };
}
