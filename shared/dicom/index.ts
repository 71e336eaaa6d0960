/** Part 10 header reading shared by the browser page and Node: sniff, header-only parse, identity, text decoding. */
export { readDicomHeader, valueBytes } from './read-header.ts';
export type { ByteSource, DicomHeader, HeaderOptions } from './read-header.ts';
export { dicomIdentity, dicomDescription } from './identity.ts';
export type { DicomDescription } from './identity.ts';
export { sniffDicom } from './sniff.ts';
export type { DicomLayout } from './sniff.ts';
export { decodeText, encodingFor } from './charset.ts';
export { inflateRawPrefix } from './inflate.ts';
export { DicomError } from './dicom-error.ts';
export type { DicomErrorCode } from './dicom-error.ts';
export { TRANSFER_SYNTAX, MEDIA_STORAGE_DIRECTORY, isUid } from './uids.ts';
