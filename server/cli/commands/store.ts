/**
 * `beeldpoort store PATH...`: C-STORE local files or folders (a CD) into the PACS with our own sender, byte for
 * byte. Non-DICOM files and DICOMDIRs are skipped with a note; the run ends with a summary and exits non-zero when
 * any instance failed.
 */
import path from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { destinationFlags, PACS_OPTIONS, PACS_OPTIONS_USAGE } from '../pacs-flags.ts';
import { parseCommandArgs, positiveInteger } from '../args.ts';
import { loadConfig } from '../../config.ts';
import { storeFiles, type FileResult } from '../../dicom/index.ts';
import { resolveDestination, tlsHint, usesTls } from '../../dicom/destination.ts';

const hex = (status: number | undefined) => (status === undefined ? '' : ` status ${status.toString(16).toUpperCase().padStart(4, '0')}`);

export const command: Command = {
  name: 'store',
  summary: 'C-STORE local DICOM files to the PACS',
  usage: `Usage: beeldpoort store [--pacs AET@host:port] [--calling-aet AET] [--tls] [--tls-ca FILE]
  [--tls-cert FILE --tls-key FILE] [--no-tls] [--associations N] [--json] PATH...

Sends every DICOM file under the PATHs (folders recursed) to the PACS (default BEELDPOORT_PACS), each in its own
transfer syntax, unchanged. Non-DICOM files and DICOMDIRs are skipped. Exit 0 when every instance was stored
(warnings included), 1 when any failed.

${PACS_OPTIONS_USAGE}
  --associations N       parallel associations (default BEELDPOORT_ASSOCIATIONS or 8)
  --json                 end with one JSON line: files, stored, warnings, failed, skipped, bytes, seconds,
                         failures [{ path, sopInstanceUid, code, status, retriable, reason }],
                         warningDetails [{ path, sopInstanceUid, status, reason }]`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...PACS_OPTIONS,
      associations: { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    if (positionals.length === 0) throw new UsageError('expects at least one PATH');
    const config = loadConfig(io.env);
    const destination = resolveDestination(config, destinationFlags(values));
    if (typeof destination === 'string') throw new UsageError(destination);
    const associations = positiveInteger(values.associations, '--associations', config.associations);
    const cwd = process.cwd();
    const show = (r: FileResult) => path.relative(cwd, r.path) || r.path;
    const started = performance.now();
    const results = await storeFiles(destination, positionals, {
      associations,
      onResult(r) {
        if (r.outcome === 'skipped') io.stdout.write(`skipped ${show(r)} (${r.code === 'E_DICOMDIR' ? 'DICOMDIR' : 'not DICOM'})\n`);
        else if (r.outcome === 'warning') io.stdout.write(`warning ${show(r)}:${hex(r.status)} ${r.reason ?? ''}\n`);
        else if (r.outcome === 'failed') io.stdout.write(`FAILED  ${show(r)}: [${r.code}]${hex(r.status)} ${r.reason ?? ''}${r.retriable ? ' (retriable)' : ''}\n`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const count = (outcome: FileResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
    const sent = results.filter((r) => r.outcome === 'stored' || r.outcome === 'warning');
    const bytes = sent.reduce((n, r) => n + r.bytes, 0);
    const summary = {
      files: results.length,
      stored: count('stored'),
      warnings: count('warning'),
      failed: count('failed'),
      skipped: count('skipped'),
      bytes,
      seconds: Number(seconds.toFixed(3)),
      failures: results.filter((r) => r.outcome === 'failed')
        .map((r) => ({ path: r.path, sopInstanceUid: r.sopInstanceUid, code: r.code, status: r.status, retriable: r.retriable, reason: r.reason })),
      warningDetails: results.filter((r) => r.outcome === 'warning')
        .map((r) => ({ path: r.path, sopInstanceUid: r.sopInstanceUid, status: r.status, reason: r.reason })),
    };
    const mb = bytes / 1e6;
    io.stdout.write(`${destination.calledAet}@${destination.host}:${destination.port}${usesTls(destination) ? ' (TLS)' : ''}: stored ${summary.stored}, warnings ${summary.warnings}, `
      + `failed ${summary.failed}, skipped ${summary.skipped} (${mb.toFixed(1)} MB in ${seconds.toFixed(1)} s, ${(mb / Math.max(seconds, 0.001)).toFixed(0)} MB/s)\n`);
    const tlsFailure = summary.failures.find((f) => tlsHint(f.code, f.reason ?? '') !== '');
    if (tlsFailure) io.stderr.write(`beeldpoort store: ${tlsFailure.reason ?? tlsFailure.code}${tlsHint(tlsFailure.code, tlsFailure.reason ?? '')}\n`);
    if (values.json) io.stdout.write(`${JSON.stringify(summary)}\n`);
    return summary.failed > 0 ? 1 : 0;
  },
};
