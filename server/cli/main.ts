/**
 * Dispatch for the `beeldpoort` command. The names and flags below are a scripting contract (see README):
 * keep them stable. Each subcommand lives in its own module under ./commands and is loaded only when used,
 * so `beeldpoort --help` stays fast and one command's dependencies never burden another.
 */
import type { Command, CommandIo } from './command.ts';
import { UsageError } from './command.ts';
import { BeeldpoortError } from '../../shared/errors.ts';

/** Ordered as `--help` shows them. */
const commands: ReadonlyArray<readonly [name: string, summary: string]> = [
  ['start', 'run the portal and the import worker together (embedded defaults)'],
  ['portal', 'run the portal alone'],
  ['worker', 'run the import worker alone'],
  ['keys', 'keys init: create the institution key pair, link-signing key and worker credential'],
  ['user', 'user add EMAIL: add a receiver account'],
  ['link', 'link create|revoke|list: manage upload links'],
  ['audit', 'audit verify|export: check or export the audit chain'],
  ['send', 'send URL FOLDER: encrypt and upload a patient CD through a link'],
  ['status', 'status SHIPMENT: state and outcome of a shipment'],
  ['store', 'store PATH...: C-STORE local DICOM files to the PACS'],
  ['echo', 'echo: C-ECHO the PACS'],
  ['make-test-cd', 'make-test-cd OUT: write a realistic synthetic patient CD'],
];

function overview(): string {
  const width = Math.max(...commands.map(([name]) => name.length));
  return [
    'Usage: beeldpoort COMMAND [options]',
    '',
    'Commands:',
    ...commands.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    'Environment: BEELDPOORT_DATA (default ./data), BEELDPOORT_PORT (8080), BEELDPOORT_PUBLIC_URL,',
    '             BEELDPOORT_PACS (AET@host:port). `beeldpoort COMMAND --help` for a command.',
  ].join('\n');
}

export async function main(argv: string[], io: CommandIo = process): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${overview()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = commands.find(([candidate]) => candidate === name);
  if (!entry) {
    io.stderr.write(`beeldpoort: unknown command "${name}" (see beeldpoort --help)\n`);
    return 2;
  }
  let command: Command;
  try {
    ({ command } = (await import(`./commands/${name}.ts`)) as { command: Command });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(`commands/${name}.ts`)) {
      io.stderr.write(`beeldpoort: "${name}" is not part of this build yet\n`);
      return 2;
    }
    throw error;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`beeldpoort ${name}: ${error.message}\n${command.usage}\n`);
      return 2;
    }
    const code = error instanceof BeeldpoortError ? ` [${error.code}]` : '';
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`beeldpoort ${name}: ${message.split('\n')[0]}${code}\n`);
    if (io.env.BEELDPOORT_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return 1;
  }
}
