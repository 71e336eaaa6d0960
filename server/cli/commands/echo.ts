/** `beeldpoort echo`: C-ECHO the PACS with our own sender, to check address, AE titles and reachability. */
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { destinationFlags, PACS_OPTIONS, PACS_OPTIONS_USAGE } from '../pacs-flags.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config.ts';
import { DicomError, echo } from '../../dicom/index.ts';
import { resolveDestination, tlsHint, usesTls } from '../../dicom/destination.ts';

export const command: Command = {
  name: 'echo',
  summary: 'C-ECHO the PACS',
  usage: `Usage: beeldpoort echo [--pacs AET@host:port] [--calling-aet AET] [--tls] [--tls-ca FILE]
  [--tls-cert FILE --tls-key FILE [--tls-key-passphrase-file FILE]] [--tls-servername NAME] [--no-tls] [--json]

Opens an association to the PACS (default BEELDPOORT_PACS), sends C-ECHO and releases. Exit 0 when the PACS
answered success, 1 otherwise (the reason and its code on stderr).

${PACS_OPTIONS_USAGE}
  --json                 end with one JSON line: { ok, pacs, tls, ms } or { ok: false, pacs, tls, code,
                         reason }`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...PACS_OPTIONS,
      json: { type: 'boolean', default: false },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const destination = resolveDestination(loadConfig(io.env), destinationFlags(values));
    if (typeof destination === 'string') throw new UsageError(destination);
    const pacs = `${destination.calledAet}@${destination.host}:${destination.port}`;
    const tls = usesTls(destination);
    const started = performance.now();
    try {
      await echo(destination);
    } catch (error) {
      if (!(error instanceof DicomError)) throw error;
      const reason = `${error.message}${tlsHint(error.code, error.message)}`;
      io.stderr.write(`beeldpoort echo: C-ECHO ${pacs}: ${reason} [${error.code}]\n`);
      if (values.json) io.stdout.write(`${JSON.stringify({ ok: false, pacs, tls, code: error.code, reason })}\n`);
      return 1;
    }
    const ms = Math.round(performance.now() - started);
    io.stdout.write(`C-ECHO ${pacs}${tls ? ' over TLS' : ''} as ${destination.callingAet}: success (${ms} ms)\n`);
    if (values.json) io.stdout.write(`${JSON.stringify({ ok: true, pacs, tls, ms })}\n`);
    return 0;
  },
};
