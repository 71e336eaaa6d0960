/**
 * The PACS destination: our own C-STORE sender (server/dicom), one pooled session per shipment. The session
 * already retries reconnects and A7xx with capped backoff; what still fails comes back `retriable` and the import
 * pipeline decides whether to wait longer or give the lease back.
 */
import { createStoreSession, type RetryPolicy, type Timeouts } from '../dicom/index.ts';
import type { PacsAddress } from '../config.ts';
import type { Destination } from './destination.ts';

export interface PacsDestinationOptions {
  readonly pacs: PacsAddress;
  readonly callingAet: string;
  readonly associations: number;
  readonly timeouts?: Partial<Timeouts>;
  readonly retry?: Partial<RetryPolicy>;
}

export function createPacsDestination(options: PacsDestinationOptions): Destination {
  const { pacs, callingAet } = options;
  return {
    description: `PACS ${pacs.calledAet}@${pacs.host}:${pacs.port} as ${callingAet}, ${options.associations} association(s)`,
    open(contexts) {
      const session = createStoreSession(
        { calledAet: pacs.calledAet, host: pacs.host, port: pacs.port, callingAet },
        { contexts, associations: options.associations, timeouts: options.timeouts, retry: options.retry },
      );
      return {
        // The dataset goes as it is: StoreInstance carries exactly what is sent; the UIDs beyond it are ours.
        store: ({ sopClassUid, sopInstanceUid, transferSyntaxUid, dataset }) => session.store({ sopClassUid, sopInstanceUid, transferSyntaxUid, dataset }),
        close: () => session.close(),
      };
    },
  };
}
