/** C-ECHO (PS3.7 §9.1.5, Verification SOP Class PS3.4 Annex A): proves the PACS answers and accepts our AE title. */
import { Association, DEFAULT_TIMEOUTS, type Destination, type Timeouts } from './association.ts';
import { DicomError } from './dicom-error.ts';
import { encodeEchoRequest, responseStatus } from './dimse.ts';
import { IMPLICIT_VR_LE, VERIFICATION_SOP_CLASS } from './uids.ts';

/** Resolves when the PACS answered C-ECHO with success; throws a DicomError otherwise. */
export async function echo(destination: Destination, timeouts: Partial<Timeouts> = {}): Promise<void> {
  const contexts = [{ id: 1, abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: [IMPLICIT_VR_LE] }];
  const association = await Association.open(destination, contexts, { ...DEFAULT_TIMEOUTS, ...timeouts });
  try {
    const contextId = association.contextFor({ sopClassUid: VERIFICATION_SOP_CLASS, transferSyntaxUid: IMPLICIT_VR_LE });
    if (contextId === undefined) throw new DicomError('E_NO_CONTEXT', 'the PACS does not accept the Verification SOP Class');
    const response = await association.request(contextId, encodeEchoRequest(association.nextMessageId()));
    const status = responseStatus(response);
    if (status !== 0) throw new DicomError('E_DIMSE_STATUS', `C-ECHO answered ${status.toString(16).padStart(4, '0')}`, { status });
  } finally {
    await association.release();
  }
}
