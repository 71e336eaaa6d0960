import { BeeldpoortError } from '../errors.ts';

/**
 * Stable codes of Part 10 header reading (shared by the scanner and anything else reading DICOM headers):
 * - E_DICOM_NOT_DICOM: neither "DICM" at offset 128 (PS3.10 §7.1) nor a plausible bare data set at offset 0.
 * - E_DICOM_TRUNCATED: the file ends inside an element (cut-off copy, damaged CD).
 * - E_DICOM_MALFORMED: the bytes do not parse as a data set (invalid lengths, nonsense tags, bad meta group).
 * - E_DICOM_HEADER_TOO_LARGE: no pixel data and no complete identity within the header size limit.
 * - E_DICOM_IDENTITY: SOP Class, SOP Instance, Study or Series Instance UID missing or not a UID (PS3.5 §9.1).
 */
export type DicomErrorCode = 'E_DICOM_NOT_DICOM' | 'E_DICOM_TRUNCATED' | 'E_DICOM_MALFORMED' | 'E_DICOM_HEADER_TOO_LARGE' | 'E_DICOM_IDENTITY';

export class DicomError extends BeeldpoortError {
  declare readonly code: DicomErrorCode;

  constructor(code: DicomErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
