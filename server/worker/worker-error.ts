/**
 * Errors of the import worker. Callers (and the portal's report, which shows them to the radiologist) branch on
 * `code`; each code says what happened to one file, never the file's contents.
 */
import { BeeldpoortError } from '../../shared/errors.ts';

export const WORKER_CODES = {
  E_HASH_MISMATCH: 'the decrypted file does not match the SHA-256 in the manifest',
  E_SIZE_MISMATCH: 'the decrypted file does not have the size given in the manifest',
  E_NOT_DICOM: 'not a DICOM file',
  E_DICOMDIR: 'a DICOMDIR is a media directory, never stored in a PACS',
  E_DICOM_INVALID: 'the DICOM file is malformed',
  E_DICOM_TRUNCATED: 'the DICOM file is cut off',
  E_DICOM_TOO_LARGE: 'the DICOM file is larger than the worker accepts',
  E_DICOM_PARSE_LIMIT: 'parsing the DICOM file exceeded its time or memory limit',
  E_IDENTITY_MISMATCH: 'the DICOM identity differs from the manifest',
  E_DUPLICATE_SOP_INSTANCE: 'another file of this shipment has the same SOP Instance UID with different content',
  E_FILE_NOT_DECLARED: 'the manifest lists a file the portal does not have',
  E_SHIPMENT_TAMPERED: 'another file of this shipment failed authentication, so nothing of it is stored',
  E_STORE_FAILED: 'the PACS refused the instance',
  E_PACS_NOT_FOUND: 'the PACS answered C-STORE success but does not hold the instance (not returned by C-FIND)',
  E_PACS_UNAVAILABLE: 'the PACS stayed unavailable; the shipment is retried later',
  E_UPLOAD_INCOMPLETE: 'the upload is not complete yet; the shipment is retried later',
  E_STOPPING: 'the worker is stopping; the shipment is retried later',
  E_STAGING_FULL: 'the worker\'s disk (staging or ledger) is full; the shipment is retried later',
  E_IMPORT_GAVE_UP: 'the import failed on every attempt; given up (the ciphertext is kept until retention)',
  E_NO_KEY: 'the worker has no private key or credential',
  E_PORTAL: 'the portal answered with an error',
  E_STAGING: 'the staging directory is not private',
} as const;

export type WorkerCode = keyof typeof WORKER_CODES;

export class WorkerError extends BeeldpoortError {
  declare readonly code: WorkerCode;
  /** HTTP status when the portal answered with an error. */
  readonly status: number | undefined;

  constructor(code: WorkerCode, detail?: string, options?: { cause?: unknown; status?: number }) {
    super(code, detail ? `${WORKER_CODES[code]}: ${detail}` : WORKER_CODES[code], options);
    this.status = options?.status;
  }
}
