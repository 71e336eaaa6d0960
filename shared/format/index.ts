/** The encrypted shipment format (docs/format.md): one implementation for the browser page, the sender and the worker. */
export { generateInstitutionKeyPair, keyFingerprint, KEY_ALG } from './keys.ts';
export type { InstitutionKeyPair } from './keys.ts';
export { newShipmentSecret } from './ids.ts';
export { ID_PATTERN } from './ids.ts';
export { sealEnvelope, openEnvelope } from './envelope.ts';
export type { EnvelopeContents } from './envelope.ts';
export { validateManifest, MANIFEST_LIMITS } from './validate-manifest.ts';
export { ciphertextSize, RECORD_SIZE, RECORD_DATA_SIZE } from './layout.ts';
export { sliceOf, uploadsOf } from './uploads.ts';
export type { FileSlice, ManifestUpload } from './uploads.ts';
export { createFileEncryptor } from './file-encryptor.ts';
export { ScratchPool } from './scratch-pool.ts';
export type { FileEncryptor, FileEncryptorOptions } from './file-encryptor.ts';
export { decryptFile } from './file-decryptor.ts';
export type { FileDecryptOptions } from './file-decryptor.ts';
export { webCryptoAesGcm } from './aes-gcm.ts';
export type { AesGcmEngine, AesGcmKey } from './aes-gcm.ts';
export { FormatError } from './errors.ts';
export type { FormatErrorCode } from './errors.ts';
export type {
  Manifest,
  ManifestFile,
  UploadPlacement,
  Purpose,
  Statements,
  ConsentStatement,
  DicomIdentity,
  PatientSummary,
  StudySummary,
  SkippedFile,
  ShipmentSummary,
} from './manifest.ts';
export type { JWK, GeneralJWE } from 'jose';
