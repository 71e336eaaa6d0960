/**
 * `beeldpoort start` (what `npm start` runs): keys on first start, the portal, and the import worker beside
 * it. The worker seam is `startWorker` below: the worker's module fills it in (server/worker/), the portal
 * part does not depend on it.
 */
import type { Command, CommandIo } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig, type Config } from '../../config.ts';
import { openStores } from '../../portal/db/stores.ts';
import { runPortal, untilSignal } from './portal.ts';

/** A running import worker, as `start` needs it: something to stop. */
export interface StartedWorker { stop(): Promise<void> }

/**
 * The seam for the import worker (server/worker/): same process, same data dir. Unless BEELDPOORT_PORTAL_URL says
 * otherwise, it pulls from the portal's own listening socket, not through BEELDPOORT_PUBLIC_URL (which may name a
 * reverse proxy the machine cannot reach itself).
 */
export async function startWorker(config: Config, io: CommandIo, portalPort: number): Promise<StartedWorker | undefined> {
  const { startWorker: start } = await import('../../worker/start-worker.ts');
  const wildcard = config.host === '0.0.0.0' || config.host === '::' || config.host === '';
  const host = wildcard ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const portalUrl = io.env.BEELDPOORT_PORTAL_URL ? config.portalUrl : `http://${host}:${portalPort}`;
  const worker = await start({ ...config, portalUrl });
  io.stdout.write(`Import worker running beside the portal, storing into ${worker.destination}\n`);
  return worker;
}

export const command: Command = {
  name: 'start',
  summary: 'run the portal and the import worker together',
  usage: 'Usage: beeldpoort start\n\nCreates keys under BEELDPOORT_DATA on first start, starts the portal on BEELDPOORT_PORT and the import worker beside it.',
  async run(args, io) {
    parseCommandArgs(args, {});
    const config = loadConfig(io.env);
    // Listen for SIGTERM/SIGINT before anything starts, so a stop that arrives during start-up is a clean stop too.
    const stopped = untilSignal();
    const portal = await runPortal(config, io);
    const stores = openStores(config.dataDir);
    const users = stores.users.count();
    stores.close();
    io.stdout.write(`Beeldpoort portal listening on ${config.host}:${portal.port}, public URL ${config.publicUrl}, data in ${config.dataDir}\n`);
    if (users === 0) io.stdout.write('No receiver accounts yet. Add the first one with:  npx beeldpoort user add you@hospital.nl --role admin\n');
    io.stdout.write('Create an upload link with:  npx beeldpoort link create --purpose transfer --sender "Other hospital"\n');
    // The listening port, not config.port: BEELDPOORT_PORT=0 picks a free one.
    const worker = await startWorker(config, io, portal.port);
    if (!worker) io.stdout.write('The import worker is not part of this build yet; only the portal runs.\n');
    await stopped;
    await worker?.stop();
    await portal.close();
    return 0;
  },
};
