/**
 * `beeldpoort status SHIPMENT`: state and per-file/per-instance outcome of one shipment, run beside the portal's
 * data directory (BEELDPOORT_DATA). With --json the last line is the object `beeldpoort send --json` prints.
 */
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config.ts';
import { readShipmentReport } from '../../send/shipment-report.ts';

export const command: Command = {
  name: 'status',
  summary: 'state and outcome of a shipment',
  usage: `Usage: beeldpoort status SHIPMENT [--json]

Shows the state of a shipment and the outcome of every instance, from the portal's database in BEELDPOORT_DATA
(default ./data). Exit 0 when nothing failed, 1 when an instance or the import failed.

  --json   end with one JSON line: shipmentId, files, instances, bytes, stored, failed, state`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean', default: false } });
    if (positionals.length !== 1) throw new UsageError('expects one shipment reference');
    const config = loadConfig(io.env);
    const report = readShipmentReport(config.dataDir, positionals[0]!);
    io.stdout.write(`${report.lines.join('\n')}\n`);
    if (values.json) io.stdout.write(`${JSON.stringify(report.summary)}\n`);
    return report.summary.failed > 0 || report.summary.state === 'failed' ? 1 : 0;
  },
};
