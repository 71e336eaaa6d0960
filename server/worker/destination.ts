/**
 * Where validated instances go, as the import pipeline sees it: one small interface with two implementations, a
 * PACS over DICOM (pacs-destination.ts, our own C-STORE sender) and the embedded folder (folder-destination.ts).
 * A session covers one shipment; `store` resolves with the outcome and never rejects.
 */
import type { ContextKey, InstanceFinder, StoreInstance, StoreResult } from '../dicom/index.ts';

export type { InstanceFinder, StoreResult };

/** An instance with the identity the folder destination files it under. */
export interface DestinationInstance extends StoreInstance {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
}

export interface DestinationSession {
  store(instance: DestinationInstance): Promise<StoreResult>;
  close(): Promise<void>;
}

export interface Destination {
  /** One line for the log at start ("PACS STORESCP@127.0.0.1:11112", "folder /data/pacs"). */
  readonly description: string;
  /** Opens a session; `contexts` lists every (SOP class, transfer syntax) the shipment holds. */
  open(contexts: readonly ContextKey[]): DestinationSession;
  /**
   * Post-verification (reliability W9, BEELDPOORT_PACS_VERIFY=cfind): opens a lookup of what the destination holds
   * per series. Absent when verification is off: the store status is trusted.
   */
  readonly openFinder?: () => Promise<InstanceFinder>;
}
