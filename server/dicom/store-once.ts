/**
 * One C-STORE on an open association (PS3.7 §9.1.1, §9.3.1): pick the presentation context that carries the
 * instance in its own transfer syntax, send command and dataset, interpret the response status. Errors of the
 * association (dropped, aborted, timed out) leave the outcome unknown and are returned as retriable failures.
 */
import type { Association } from './association.ts';
import { DicomError } from './dicom-error.ts';
import { TAG, encodeStoreRequest, responseStatus } from './dimse.ts';
import { interpretStoreStatus } from './status.ts';
import type { StoreInstance, StoreResult } from './types.ts';
import { DEFLATED_EXPLICIT_VR_LE } from './uids.ts';

export async function storeOnce(association: Association, instance: StoreInstance): Promise<StoreResult> {
  const dataset = evenDataset(instance);
  if (!dataset) return failure(instance, new DicomError('E_ODD_LENGTH', `${instance.dataset.length} bytes in ${instance.transferSyntaxUid}`));
  const contextId = association.contextFor(instance);
  if (contextId === undefined) return failure(instance, new DicomError('E_NO_CONTEXT', describeRefusal(association, instance)));
  const messageId = association.nextMessageId();
  let response;
  try {
    response = await association.request(contextId, encodeStoreRequest(messageId, instance.sopClassUid, instance.sopInstanceUid), dataset);
  } catch (error) {
    return failure(instance, error);
  }
  let status: number;
  try {
    status = responseStatus(response);
    const echoed = response.get(TAG.AFFECTED_SOP_INSTANCE);
    if (echoed !== undefined && echoed !== instance.sopInstanceUid) throw new DicomError('E_PROTOCOL', `response names instance ${echoed}`);
  } catch (error) {
    association.abort(error as DicomError);
    return failure(instance, error);
  }
  const comment = response.get(TAG.ERROR_COMMENT);
  const meaning = interpretStoreStatus(status, typeof comment === 'string' ? comment : undefined);
  return { sopInstanceUid: instance.sopInstanceUid, status, ...meaning };
}

/**
 * The bytes to send. A dataset is always of even length, except a deflated one whose stream may end on an odd
 * byte: PS3.5 A.5 pads that with one trailing NUL, which the inflater never reads. Any other odd dataset is broken.
 */
function evenDataset(instance: StoreInstance): Uint8Array | undefined {
  const { dataset, transferSyntaxUid } = instance;
  if (dataset.length % 2 === 0) return dataset;
  if (transferSyntaxUid !== DEFLATED_EXPLICIT_VR_LE) return undefined;
  const padded = new Uint8Array(dataset.length + 1);
  padded.set(dataset);
  return padded;
}

/** Why no context fits: what the PACS said to each context proposed for this SOP class. */
function describeRefusal(association: Association, instance: StoreInstance): string {
  const results = ['accepted', 'user rejection', 'no reason', 'abstract syntax not supported', 'transfer syntaxes not supported'];
  const answers = association.proposed
    .filter((context) => context.abstractSyntax === instance.sopClassUid)
    .map((context) => {
      const answer = association.accepted.find((a) => a.id === context.id);
      const said = !answer ? 'no answer' : answer.result === 0 ? `accepted ${answer.transferSyntax}` : results[answer.result] ?? `result ${answer.result}`;
      return `[${context.transferSyntaxes.join(' ')}] ${said}`;
    });
  return `SOP class ${instance.sopClassUid} in transfer syntax ${instance.transferSyntaxUid} (no transcoding): ${answers.join('; ') || 'not proposed'}`;
}

/** A StoreResult for an error raised outside a response (association could not be opened, dropped...). */
export function failure(instance: StoreInstance, error: unknown): StoreResult {
  const dicom = error instanceof DicomError ? error : new DicomError('E_PROTOCOL', String(error), { cause: error });
  return { sopInstanceUid: instance.sopInstanceUid, outcome: 'failed', retriable: dicom.retriable, code: dicom.code, reason: dicom.message, status: dicom.status };
}

