/**
 * Our DICOM network client (PS3.8 upper layer, PS3.7 DIMSE) as the worker and the CLI use it: C-ECHO, a pooled
 * C-STORE session that sends datasets byte for byte, the Part 10 reader, and storing files from disk.
 *
 * The worker's use, one session per shipment (contexts from the manifest, instances as they are decrypted):
 *
 *     const session = createStoreSession(destination, { contexts: manifestInstances, associations: config.associations });
 *     const info = readPart10(plaintext);                        // throws DicomError E_NOT_DICOM / E_DICOMDIR / ...
 *     const result = await session.store({ ...info, dataset: plaintext.subarray(info.datasetOffset) });
 *     // result.outcome 'stored' | 'warning' only after a 0000 / Bxxx response; 'failed' with `retriable` (retry
 *     // later: PACS down, A7xx, outcome unknown after a drop) or not (A9xx, Cxxx, 0122, E_NO_CONTEXT...), `code`.
 *     await session.close();
 *
 * Post-verification (reliability W9): `openInstanceFinder(destination)` opens one C-FIND association (Study Root,
 * IMAGE level); `instancesOfSeries(study, series)` lists the SOP Instance UIDs the PACS holds in that series.
 *
 * store() never rejects; retriable failures are retried inside the session first (DEFAULT_RETRY: 4 attempts,
 * capped exponential backoff), and `onRetry` reports each retry.
 */
export { echo } from './echo.ts';
export { openInstanceFinder, findInstancesOfSeries, DEFAULT_MAX_RESULTS, type FindOptions, type InstanceFinder } from './find.ts';
export { createStoreSession, type RetryEvent, type StoreSession, type StoreSessionOptions } from './store-session.ts';
export { storeFiles, listFiles, type FileResult, type StoreFilesOptions } from './store-files.ts';
export { readPart10, type Part10Info } from './part10.ts';
export { DicomError, DICOM_CODES, isRetriable, type DicomCode } from './dicom-error.ts';
export { DEFAULT_TIMEOUTS, type Destination, type Timeouts } from './association.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './backoff.ts';
export type { ContextKey } from './presentation-contexts.ts';
export type { StoreInstance, StoreResult } from './types.ts';
export { DICOMDIR_SOP_CLASS, IMPLICIT_VR_LE, EXPLICIT_VR_LE } from './uids.ts';
