/**
 * Manifest v1 and v2: what the sender states about a shipment. v2 adds one optional member per file, `upload`: the
 * file's ciphertext travels inside a bundle, one tus upload carrying several files' bodies back to back. It travels only inside the JWE envelope (envelope.ts):
 * everything identifying the patient lives here and nowhere else. docs/format.md lists the limits.
 */
export type Purpose = 'transfer' | 'consult' | 'internal';

export interface ConsentStatement {
  /** Who recorded the patient's consent (name and role, free text). */
  readonly recordedBy: string;
  /** When consent was recorded: ISO 8601 date (YYYY-MM-DD). */
  readonly date: string;
  /** Where it is recorded (chart reference, form number). */
  readonly reference: string;
}

export interface Statements {
  readonly consent?: ConsentStatement;
  readonly comment?: string;
}

export interface DicomIdentity {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly transferSyntaxUid: string;
}

export interface ManifestFile {
  readonly fileId: string;
  /** Relative path on the CD, '/'-separated, no '..' segment. */
  readonly path: string;
  /** Plaintext size in octets. */
  readonly size: number;
  /** SHA-256 of the plaintext, 64 lower-case hex digits. */
  readonly sha256: string;
  readonly dicom: DicomIdentity;
  /**
   * v2 only. Where this file's ciphertext (its own aes128gcm body, unchanged) sits: in the upload `id`, from octet
   * `offset`, for ciphertextSize(size) octets. Absent: the file is its own upload, named by its fileId (v1).
   */
  readonly upload?: UploadPlacement;
}

export interface UploadPlacement {
  /** The upload (a file on the portal): always the fileId of the file at offset 0 of that upload. */
  readonly id: string;
  readonly offset: number;
}

export interface PatientSummary {
  readonly name: string;
  readonly id: string;
  /** As read from the DICOM (DA, YYYYMMDD) or empty. */
  readonly birthDate: string;
  readonly issuer?: string;
}

export interface StudySummary {
  readonly studyInstanceUid: string;
  /** DICOM DA (YYYYMMDD) or empty. */
  readonly date: string;
  readonly description: string;
  readonly modalities: readonly string[];
  readonly accession: string;
  readonly patientId: string;
  readonly series: number;
  readonly instances: number;
}

export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

export interface ShipmentSummary {
  readonly patients: readonly PatientSummary[];
  readonly studies: readonly StudySummary[];
  readonly series: number;
  readonly instances: number;
  readonly skipped: readonly SkippedFile[];
}

export interface Manifest {
  /** 2 when any file has `upload`; else 1. */
  readonly version: 1 | 2;
  readonly shipmentId: string;
  readonly linkId: string;
  readonly purpose: Purpose;
  /** ISO 8601 timestamp with time zone, e.g. 2026-11-29T20:15:00.000Z. */
  readonly createdAt: string;
  readonly statements: Statements;
  readonly files: readonly ManifestFile[];
  readonly summary: ShipmentSummary;
}
