/**
 * `beeldpoort start` (what `npm start` runs): the portal and the import worker together on the embedded
 * defaults. Until the portal lands this says what it will do.
 */
import type { Command } from '../command.ts';

export const command: Command = {
  name: 'start',
  summary: 'run the portal and the import worker together',
  usage: 'Usage: beeldpoort start\n\nStarts the portal on BEELDPOORT_PORT and the import worker beside it, data under BEELDPOORT_DATA.',
  async run(_args, io) {
    io.stdout.write('beeldpoort start: the portal and import worker are not part of this build yet.\n');
    io.stdout.write('It will create keys under BEELDPOORT_DATA on first start, listen on BEELDPOORT_PORT and run the worker beside it.\n');
    return 0;
  },
};
