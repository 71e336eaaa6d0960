/**
 * Errors of the DICOM network client and the Part 10 reader. Callers branch on `code`; `retriable` says whether
 * the same instance may succeed later on a new association (PS3.7 Annex C, PS3.8 §7.1.1.9).
 */
import { BeeldpoortError } from '../../shared/errors.ts';

/** Stable codes. Retriable ones concern the association or the peer's resources, never the instance itself. */
export const DICOM_CODES = {
  E_NOT_DICOM: 'not a DICOM Part 10 file or dataset',
  E_DICOMDIR: 'a DICOMDIR is a media directory, never sent to a PACS',
  E_BAD_META: 'broken Part 10 file meta information',
  E_NO_IDENTITY: 'SOP Class or SOP Instance UID missing',
  E_ODD_LENGTH: 'the dataset has an odd length, which no conformant PACS accepts (PS3.5 §7.1, PS3.8 E.2)',
  E_CONNECT: 'could not connect to the PACS',
  E_TLS: 'TLS handshake with the PACS failed',
  E_ASSOCIATION_REJECTED: 'the PACS rejected the association',
  E_ASSOCIATION_ABORTED: 'the association was aborted',
  E_ASSOCIATION_DROPPED: 'the connection dropped; outcome unknown',
  E_TIMEOUT: 'the PACS did not answer in time',
  E_PROTOCOL: 'the PACS violated the DICOM upper layer protocol',
  E_PDU_TOO_LARGE: 'the PACS sent a PDU larger than we accept',
  E_NO_CONTEXT: 'the PACS accepted no presentation context for this SOP class and transfer syntax',
  E_OUT_OF_RESOURCES: 'the PACS is out of resources (A7xx)',
  E_DIMSE_STATUS: 'the PACS refused the instance',
  E_DUPLICATE_INSTANCE: 'the PACS already holds an instance with this SOP Instance UID (0111)',
  E_SESSION_CLOSED: 'the store session was closed',
  E_FIND_TOO_MANY: 'the PACS returned more C-FIND matches than we accept',
} as const;

export type DicomCode = keyof typeof DICOM_CODES;

const RETRIABLE: ReadonlySet<DicomCode> = new Set<DicomCode>([
  'E_CONNECT', 'E_TLS', 'E_ASSOCIATION_REJECTED', 'E_ASSOCIATION_ABORTED', 'E_ASSOCIATION_DROPPED', 'E_TIMEOUT',
  'E_PROTOCOL', 'E_PDU_TOO_LARGE', 'E_OUT_OF_RESOURCES', 'E_SESSION_CLOSED',
]);

export class DicomError extends BeeldpoortError {
  declare readonly code: DicomCode;
  readonly retriable: boolean;
  /** The DIMSE status when the error comes from a response. */
  readonly status: number | undefined;

  constructor(code: DicomCode, detail?: string, options?: { cause?: unknown; status?: number }) {
    super(code, detail ? `${DICOM_CODES[code]}: ${detail}` : DICOM_CODES[code], options);
    this.retriable = RETRIABLE.has(code);
    this.status = options?.status;
  }
}

/** True for errors after which a new association may succeed. */
export function isRetriable(error: unknown): boolean {
  return error instanceof DicomError && error.retriable;
}
