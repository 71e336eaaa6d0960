/** `beeldpoort audit verify|export`: check the audit hash chain (non-zero exit on a break) or export it as JSON lines. */
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config.ts';
import { openStores } from '../../portal/db/stores.ts';
import { jsonLine } from '../../portal/audit/audit-format.ts';

export const command: Command = {
  name: 'audit',
  summary: 'audit verify|export: check or export the audit chain',
  usage: [
    'Usage: beeldpoort audit verify [--json]',
    '       beeldpoort audit export          (JSON lines on stdout, oldest first)',
    '',
    'verify recomputes every record\'s hash and its link to the previous one; on a break it names the first',
    'bad record and exits 1.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    const [action, ...extra] = positionals;
    if (extra.length > 0 || (action !== 'verify' && action !== 'export')) throw new UsageError('expected "audit verify" or "audit export"');
    const stores = openStores(loadConfig(io.env).dataDir);
    try {
      if (action === 'export') {
        for (const record of stores.audit.all()) io.stdout.write(jsonLine(record));
        return 0;
      }
      const check = stores.audit.verifyChain();
      if (values.json) io.stdout.write(`${JSON.stringify(check)}\n`);
      else if (check.ok) io.stdout.write(`audit chain intact: ${check.count} records\n`);
      else io.stdout.write(`audit chain BROKEN at record ${check.seq}: ${check.reason}\n`);
      if (!check.ok) io.stderr.write(`beeldpoort audit: chain broken at record ${check.seq} [E_AUDIT_CHAIN]\n`);
      return check.ok ? 0 : 1;
    } finally {
      stores.close();
    }
  },
};
