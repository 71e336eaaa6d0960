/**
 * The PACS destination: our own C-STORE sender (server/dicom), one pooled session per shipment. The session
 * already retries reconnects and A7xx with capped backoff; what still fails comes back `retriable` and the import
 * pipeline decides whether to wait longer or give the lease back.
 */
import { createStoreSession, openInstanceFinder, type RetryPolicy, type Timeouts } from '../dicom/index.ts';
import type { PacsAddress } from '../config.ts';
import { describeTls, tlsOptions, type PacsTls } from '../pacs-tls.ts';
import type { Destination } from './destination.ts';

export interface PacsDestinationOptions {
  readonly pacs: PacsAddress;
  readonly callingAet: string;
  readonly associations: number;
  readonly timeouts?: Partial<Timeouts>;
  readonly retry?: Partial<RetryPolicy>;
  /** `cfind`: after a shipment's stores, ask the PACS per series which instances it holds (verify-stored.ts). */
  readonly verify?: 'cfind';
  /** DICOM over TLS (PS3.15 B.1, BEELDPOORT_PACS_TLS*); absent: plain TCP. */
  readonly tls?: PacsTls;
}

export function createPacsDestination(options: PacsDestinationOptions): Destination {
  const { pacs, callingAet } = options;
  const address = { calledAet: pacs.calledAet, host: pacs.host, port: pacs.port, callingAet, ...(options.tls ? { tls: tlsOptions(options.tls) } : {}) };
  const over = options.tls ? ` over ${describeTls(options.tls)}` : '';
  return {
    description: `PACS ${pacs.calledAet}@${pacs.host}:${pacs.port}${over} as ${callingAet}, ${options.associations} association(s)${options.verify ? ', verified by C-FIND' : ''}`,
    ...(options.verify === 'cfind' ? { openFinder: () => openInstanceFinder(address, { timeouts: options.timeouts }) } : {}),
    open(contexts) {
      const session = createStoreSession(
        address,
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
