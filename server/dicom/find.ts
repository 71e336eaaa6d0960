/**
 * C-FIND SCU (PS3.7 §9.1.2, PS3.4 C.4.1) for one question: which SOP instances does the PACS hold in a series?
 * One association proposes the Study Root Query/Retrieve Information Model - FIND (PS3.4 C.6.2) in Explicit and
 * Implicit VR Little Endian; each query is at IMAGE level with the unique keys of the levels above (PS3.4 C.4.1.2.1
 * hierarchical query: StudyInstanceUID, SeriesInstanceUID) and SOPInstanceUID as the return key. Pending responses
 * (FF00/FF01) each carry one match; the final Success ends the list. Bounded: at most `maxResults` matches per query
 * (more aborts the association, E_FIND_TOO_MANY), and the association's timeouts bound every silence.
 */
import { Association, DEFAULT_TIMEOUTS, type Destination, type Timeouts } from './association.ts';
import { DicomError } from './dicom-error.ts';
import { TAG, encodeFindRequest, responseStatus } from './dimse.ts';
import { encodeIdentifier, readIdentifier } from './identifier.ts';
import { EXPLICIT_VR_LE, IMPLICIT_VR_LE, STUDY_ROOT_FIND } from './uids.ts';

export interface FindOptions {
  readonly timeouts?: Partial<Timeouts>;
  /** Most matches accepted for one query (default 100,000; a CD series holds a few thousand at most). */
  readonly maxResults?: number;
  /** Transfer syntaxes proposed for the identifiers, a subset of Explicit and Implicit VR LE (default both, in that order). */
  readonly transferSyntaxes?: readonly string[];
}

export interface InstanceFinder {
  /** The SOP Instance UIDs the PACS returns for this series; rejects with a DicomError if the query fails. */
  instancesOfSeries(studyInstanceUid: string, seriesInstanceUid: string): Promise<string[]>;
  /** Releases the association. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_RESULTS = 100_000;

const KEY = {
  SOP_INSTANCE_UID: 0x00080018,
  QUERY_RETRIEVE_LEVEL: 0x00080052,
  STUDY_INSTANCE_UID: 0x0020000d,
  SERIES_INSTANCE_UID: 0x0020000e,
} as const;

/** PS3.4 C.4.1.1.4: Pending, with (FF01) or without (FF00) every optional key matched. */
const PENDING = new Set([0xff00, 0xff01]);

const hex = (status: number) => status.toString(16).toUpperCase().padStart(4, '0');

/**
 * Opens one association for C-FIND; rejects with E_CONNECT, E_ASSOCIATION_REJECTED, E_TIMEOUT..., or
 * E_NO_CONTEXT when the PACS does not accept the Study Root FIND model in either syntax.
 */
export async function openInstanceFinder(destination: Destination, options: FindOptions = {}): Promise<InstanceFinder> {
  const transferSyntaxes = options.transferSyntaxes ?? [EXPLICIT_VR_LE, IMPLICIT_VR_LE];
  if (transferSyntaxes.length === 0 || transferSyntaxes.some((ts) => ts !== EXPLICIT_VR_LE && ts !== IMPLICIT_VR_LE)) {
    throw new TypeError('openInstanceFinder: transferSyntaxes must be Explicit and/or Implicit VR Little Endian');
  }
  const contexts = [{ id: 1, abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes }];
  const association = await Association.open(destination, contexts, { ...DEFAULT_TIMEOUTS, ...options.timeouts });
  const answer = association.accepted.find((c) => c.id === 1);
  const syntax = answer?.result === 0 ? answer.transferSyntax : undefined;
  if (syntax !== EXPLICIT_VR_LE && syntax !== IMPLICIT_VR_LE) {
    await association.release();
    const said = !answer ? 'no answer' : answer.result === 0 ? `accepted in ${answer.transferSyntax}` : `result ${answer.result}`;
    throw new DicomError('E_NO_CONTEXT', `Study Root Query/Retrieve - FIND (${STUDY_ROOT_FIND}): ${said}`);
  }
  const explicit = syntax === EXPLICIT_VR_LE;
  const maxResults = options.maxResults ?? DEFAULT_MAX_RESULTS;
  return {
    async instancesOfSeries(studyInstanceUid, seriesInstanceUid) {
      const identifier = encodeIdentifier([
        { tag: KEY.QUERY_RETRIEVE_LEVEL, vr: 'CS', value: 'IMAGE' },
        { tag: KEY.STUDY_INSTANCE_UID, vr: 'UI', value: studyInstanceUid },
        { tag: KEY.SERIES_INSTANCE_UID, vr: 'UI', value: seriesInstanceUid },
        { tag: KEY.SOP_INSTANCE_UID, vr: 'UI', value: '' },
      ], explicit);
      const found: string[] = [];
      const onResponse = (command: ReadonlyMap<number, number | string>, dataset: Uint8Array | undefined): boolean => {
        if (!PENDING.has(responseStatus(command))) return false;
        if (!dataset) throw new DicomError('E_PROTOCOL', 'C-FIND pending response without an identifier');
        const uid = readIdentifier(dataset, explicit, [KEY.SOP_INSTANCE_UID]).get(KEY.SOP_INSTANCE_UID);
        // A match without the unique key we asked for (PS3.4 C.2.2.1.3) proves nothing: refuse rather than guess.
        if (!uid) throw new DicomError('E_PROTOCOL', 'C-FIND match without a SOP Instance UID');
        if (found.length >= maxResults) throw new DicomError('E_FIND_TOO_MANY', `more than ${maxResults} matches in series ${seriesInstanceUid}`);
        found.push(uid);
        return true;
      };
      const final = await association.request(1, encodeFindRequest(association.nextMessageId(), STUDY_ROOT_FIND), identifier, onResponse);
      const status = responseStatus(final);
      if (status !== 0x0000) {
        const comment = final.get(TAG.ERROR_COMMENT);
        const detail = `C-FIND answered ${hex(status)}${typeof comment === 'string' && comment ? `: ${comment}` : ''}`;
        // PS3.4 C.4.1.1.4: A700 out of resources, A900 identifier does not match the SOP class, Cxxx unable to process, FE00 cancel.
        throw new DicomError((status & 0xff00) === 0xa700 ? 'E_OUT_OF_RESOURCES' : 'E_DIMSE_STATUS', detail, { status });
      }
      return found;
    },
    close: () => association.release(),
  };
}

/** One query on its own association: the SOP Instance UIDs the PACS holds in this series. */
export async function findInstancesOfSeries(destination: Destination, studyInstanceUid: string, seriesInstanceUid: string, options: FindOptions = {}): Promise<string[]> {
  const finder = await openInstanceFinder(destination, options);
  try {
    return await finder.instancesOfSeries(studyInstanceUid, seriesInstanceUid);
  } finally {
    await finder.close();
  }
}
