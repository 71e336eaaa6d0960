/** Well-known UIDs (PS3.6 Annex A) the header reader and the scanner branch on. */
export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
} as const;

/** Media Storage Directory Storage: the DICOMDIR (PS3.4 Annex F); never an instance to send. */
export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/** PS3.5 §9.1: components of digits separated by dots, no leading zero in a component, at most 64 characters. */
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function isUid(value: string): boolean {
  return value.length > 0 && value.length <= 64 && UID.test(value);
}
