/**
 * `beeldpoort portal`: run the portal alone. Prints `{"listening":PORT,"url":...}` as one JSON line once it
 * accepts connections (BEELDPOORT_PORT=0 picks a free port; tests read the line). SIGTERM/SIGINT close it
 * gracefully: no new connections, in-flight PATCHes get time to finish.
 */
import type { Command, CommandIo } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig, type Config } from '../../config.ts';
import { startPortal, type RunningPortal } from '../../portal/listen.ts';

/** Resolves when SIGTERM or SIGINT arrives. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => () => resolve(signal);
    process.once('SIGTERM', on('SIGTERM'));
    process.once('SIGINT', on('SIGINT'));
  });
}

export async function runPortal(config: Config, io: CommandIo): Promise<RunningPortal> {
  const running = await startPortal(config);
  const url = config.port === 0 ? `http://${config.host}:${running.port}` : config.publicUrl;
  io.stdout.write(`${JSON.stringify({ listening: running.port, host: config.host, url })}\n`);
  return running;
}

export const command: Command = {
  name: 'portal',
  summary: 'run the portal alone',
  usage: 'Usage: beeldpoort portal\n\nListens on BEELDPOORT_HOST:BEELDPOORT_PORT (default 127.0.0.1:8080) with data under BEELDPOORT_DATA.\nPrints {"listening":PORT,...} once ready.',
  async run(args, io) {
    parseCommandArgs(args, {});
    const running = await runPortal(loadConfig(io.env), io);
    await untilSignal();
    await running.close();
    return 0;
  },
};
