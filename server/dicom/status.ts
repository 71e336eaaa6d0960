/**
 * What a C-STORE response status means for the instance (PS3.4 Annex B.2.3, PS3.7 Annex C). Only success (0000)
 * and warning (0001, Bxxx) mean the PACS holds the instance; everything else is a failure, retriable only when the
 * cause lies with the PACS's resources (A7xx) or a cancel (FE00), never with the instance.
 */
import type { DicomCode } from './dicom-error.ts';

export interface StatusMeaning {
  readonly outcome: 'stored' | 'warning' | 'failed';
  readonly retriable: boolean;
  readonly code?: DicomCode;
  readonly reason?: string;
}

const hex = (status: number) => status.toString(16).toUpperCase().padStart(4, '0');

/** Names of the statuses PS3.4 B.2.3 and PS3.7 C lists for C-STORE, for the report. */
const NAMES: Readonly<Record<number, string>> = {
  0xb000: 'coercion of data elements',
  0xb006: 'elements discarded',
  0xb007: 'data set does not match SOP class',
  0x0110: 'processing failure',
  0x0111: 'duplicate SOP instance',
  0x0117: 'invalid SOP instance',
  0x0122: 'SOP class not supported',
  0x0124: 'not authorized',
  0x0210: 'duplicate invocation',
  0x0211: 'unrecognized operation',
  0x0212: 'mistyped argument',
  0xfe00: 'cancel',
};

function describe(status: number, comment: string | undefined): string {
  const range = (status & 0xff00) === 0xa700 ? 'out of resources'
    : (status & 0xff00) === 0xa900 ? 'data set does not match SOP class'
      : (status & 0xf000) === 0xc000 ? 'cannot understand' : 'failure';
  const name = NAMES[status] ?? range;
  return `status ${hex(status)} (${name})${comment ? `: ${comment}` : ''}`;
}

export function interpretStoreStatus(status: number, errorComment?: string): StatusMeaning {
  if (status === 0x0000) return { outcome: 'stored', retriable: false };
  if (status === 0x0001 || (status & 0xf000) === 0xb000) {
    return { outcome: 'warning', retriable: false, reason: describe(status, errorComment) };
  }
  const reason = describe(status, errorComment);
  if ((status & 0xff00) === 0xa700) return { outcome: 'failed', retriable: true, code: 'E_OUT_OF_RESOURCES', reason };
  if (status === 0xfe00) return { outcome: 'failed', retriable: true, code: 'E_DIMSE_STATUS', reason };
  // 0111 after a lost response may be our own earlier attempt; we cannot tell, so it is reported, not trusted.
  if (status === 0x0111) return { outcome: 'failed', retriable: false, code: 'E_DUPLICATE_INSTANCE', reason };
  return { outcome: 'failed', retriable: false, code: 'E_DIMSE_STATUS', reason };
}
