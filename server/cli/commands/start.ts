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
 * The seam for the import worker: returns undefined while the worker is not part of this build.
 * The worker engineer replaces the body with a call into server/worker/ (same process, same data dir).
 */
export async function startWorker(_config: Config, _io: CommandIo): Promise<StartedWorker | undefined> {
  return undefined;
}

export const command: Command = {
  name: 'start',
  summary: 'run the portal and the import worker together',
  usage: 'Usage: beeldpoort start\n\nCreates keys under BEELDPOORT_DATA on first start, starts the portal on BEELDPOORT_PORT and the import worker beside it.',
  async run(args, io) {
    parseCommandArgs(args, {});
    const config = loadConfig(io.env);
    const portal = await runPortal(config, io);
    const stores = openStores(config.dataDir);
    const users = stores.users.count();
    stores.close();
    io.stdout.write(`Beeldpoort portal listening on ${config.host}:${portal.port}, public URL ${config.publicUrl}, data in ${config.dataDir}\n`);
    if (users === 0) io.stdout.write('No receiver accounts yet. Add the first one with:  npx beeldpoort user add you@hospital.nl --role admin\n');
    io.stdout.write('Create an upload link with:  npx beeldpoort link create --purpose transfer --sender "Other hospital"\n');
    const worker = await startWorker(config, io);
    if (!worker) io.stdout.write('The import worker is not part of this build yet; only the portal runs.\n');
    await untilSignal();
    await worker?.stop();
    await portal.close();
    return 0;
  },
};
