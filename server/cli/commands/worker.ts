/**
 * `beeldpoort worker`: runs the import worker alone (the inside-the-hospital half of a split deployment). It pulls
 * shipments from BEELDPOORT_PORTAL_URL, stores into BEELDPOORT_PACS (or data/pacs/ when unset) and runs until
 * SIGINT or SIGTERM, then gives back the lease of the shipment in progress.
 */
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config.ts';
import { startWorker } from '../../worker/start-worker.ts';

export const command: Command = {
  name: 'worker',
  summary: 'run the import worker alone',
  usage: [
    'Usage: beeldpoort worker',
    '',
    'Pulls shipments from the portal (BEELDPOORT_PORTAL_URL, default BEELDPOORT_PUBLIC_URL), decrypts them with',
    'BEELDPOORT_DATA/worker/institution.private.jwk, validates every instance and stores it in BEELDPOORT_PACS',
    '(AET@host:port; BEELDPOORT_CALLING_AET, BEELDPOORT_ASSOCIATIONS; over TLS with BEELDPOORT_PACS_TLS=on or',
    'BEELDPOORT_PACS_TLS_CA, client certificate BEELDPOORT_PACS_TLS_CERT + _KEY; post-verification by C-FIND with',
    'BEELDPOORT_PACS_VERIFY=cfind). Without BEELDPOORT_PACS the instances are',
    'written as Part 10 files under BEELDPOORT_DATA/pacs/. Stops on SIGINT/SIGTERM.',
  ].join('\n'),
  async run(args, io) {
    parseCommandArgs(args, {});
    const config = loadConfig(io.env);
    const worker = await startWorker(config);
    io.stderr.write(`beeldpoort worker: pulling from ${config.portalUrl}; storing into ${worker.destination}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await worker.stop();
    return 0;
  },
};
