/**
 * The sending pipeline, one implementation for the browser page (client/sender/) and `beeldpoort send`:
 *
 *   const api = createSenderApi(linkUrl);                 // sender-api.ts: GET link, POST/GET shipments
 *   const link = await api.link();                        // who receives, purpose, public key
 *   …scan the CD (scan*.ts, inventory*.ts) → instances + summary, show the inventory, confirm…
 *   const plan = await planShipment({ link, instances, summary, statements, resume });   // plan-shipment.ts
 *   await store.save(key, plan.state);                    // resume-state.ts: keep id + secret before uploading
 *   const sent = await sendShipment(plan, { api, transport, onProgress });              // send-shipment.ts
 *   await store.remove(key);                              // the portal confirmed every file
 *   const final = await waitForOutcome(api, plan.shipmentId);                           // outcome.ts
 *
 * File access (PlainFile) and the byte transport (UploadTransport, transport.ts) are injected; nothing here
 * touches node:* or the DOM beyond fetch and WebCrypto.
 */
export { createSenderApi, parseLinkUrl, errorFromAnswer } from './sender-api.ts';
export type { LinkInfo, Purpose, SenderApi, SenderApiOptions, ShipmentStatus, ShipmentFileStatus, CreateShipmentRequest } from './sender-api.ts';
export { planShipment, checkStatements, DEFAULT_BUNDLE_BYTES } from './plan-shipment.ts';
export { groupBundles, rebuildUploads } from './bundles.ts';
export type { PlannedUpload } from './bundles.ts';
export { createBundleSource } from './bundle-source.ts';
export type { BundlePart } from './bundle-source.ts';
export type { PlainFile, SendInstance, PlanInput, PlannedFile, ShipmentPlan } from './plan-shipment.ts';
export { ciphertextOf, sendShipment } from './send-shipment.ts';
export type { CiphertextRecipe, SendOptions, SendResult } from './send-shipment.ts';
export type { UploadTransport, UploadJob, CiphertextSource, TransportFailure } from './transport.ts';
export { readCiphertextParts } from './transport.ts';
export { ProgressTracker } from './progress.ts';
export type { SendProgress } from './progress.ts';
export { waitForOutcome, summaryLine, outcomeCounts, FINAL_STATES } from './outcome.ts';
export type { ShipmentSummaryLine, WaitOptions } from './outcome.ts';
export { parseResumeState, randomId, base64UrlEncode, base64UrlDecode } from './resume-state.ts';
export type { ResumeState, ResumeStore, ResumeFile } from './resume-state.ts';
export { sha256Hex, Sha256, toHex } from './sha256.ts';
export type { HashFactory, IncrementalHash } from './sha256.ts';
export { SendError, LINK_CODES } from './send-error.ts';
export type { SendErrorCode } from './send-error.ts';
