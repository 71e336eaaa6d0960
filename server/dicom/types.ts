/** The values the worker and the CLI exchange with the sender. */

/** One instance to store: its identity and the dataset bytes exactly as they go on the wire. */
export interface StoreInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** The transfer syntax the dataset is encoded in; it is sent in this syntax or not at all. */
  readonly transferSyntaxUid: string;
  /** The dataset after the Part 10 file meta group, unchanged. */
  readonly dataset: Uint8Array;
}

export interface StoreResult {
  readonly sopInstanceUid: string;
  /** 'stored' and 'warning' only after a success or warning response from the PACS (PS3.4 B.2.3). */
  readonly outcome: 'stored' | 'warning' | 'failed';
  /** The DIMSE status of the response, when there was one. */
  readonly status?: number;
  /** Whether the same instance may succeed later (PACS unreachable, out of resources, outcome unknown). */
  readonly retriable: boolean;
  /** Stable code (DICOM_CODES) for a failure, E_DIMSE_STATUS etc. */
  readonly code?: string;
  readonly reason?: string;
  /** How many times it was sent or tried. */
  readonly attempts?: number;
}
