/** `beeldpoort echo`: C-ECHO the PACS with our own sender, to check address, AE titles and reachability. */
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config.ts';
import { DicomError, echo } from '../../dicom/index.ts';
import { resolveDestination } from '../../dicom/destination.ts';

export const command: Command = {
  name: 'echo',
  summary: 'C-ECHO the PACS',
  usage: `Usage: beeldpoort echo [--pacs AET@host:port] [--calling-aet AET] [--json]

Opens an association to the PACS (default BEELDPOORT_PACS), sends C-ECHO and releases. Exit 0 when the PACS
answered success, 1 otherwise (the reason and its code on stderr).

  --pacs AET@host:port   called AE title, host and port of the PACS
  --calling-aet AET      our AE title (default BEELDPOORT_CALLING_AET or BEELDPOORT)
  --json                 end with one JSON line: { ok, pacs, ms } or { ok: false, pacs, code, reason }`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      pacs: { type: 'string' },
      'calling-aet': { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const destination = resolveDestination(loadConfig(io.env), values.pacs, values['calling-aet']);
    if (typeof destination === 'string') throw new UsageError(destination);
    const pacs = `${destination.calledAet}@${destination.host}:${destination.port}`;
    const started = performance.now();
    try {
      await echo(destination);
    } catch (error) {
      if (!(error instanceof DicomError)) throw error;
      io.stderr.write(`beeldpoort echo: C-ECHO ${pacs}: ${error.message} [${error.code}]\n`);
      if (values.json) io.stdout.write(`${JSON.stringify({ ok: false, pacs, code: error.code, reason: error.message })}\n`);
      return 1;
    }
    const ms = Math.round(performance.now() - started);
    io.stdout.write(`C-ECHO ${pacs} as ${destination.callingAet}: success (${ms} ms)\n`);
    if (values.json) io.stdout.write(`${JSON.stringify({ ok: true, pacs, ms })}\n`);
    return 0;
  },
};
