/** `beeldpoort link create|revoke|list`: manage upload links directly in the data directory (audit actor 'cli'). */
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandArgs, positiveInteger } from '../args.ts';
import { loadConfig } from '../../config.ts';
import { createPortalContext } from '../../portal/cli-context.ts';
import { parseDuration } from '../../portal/links/duration.ts';
import { createLink, revokeLink } from '../../portal/links/links.ts';
import { linkView } from '../../portal/receiver/receiver-views.ts';

const usage = [
  'Usage: beeldpoort link create --purpose transfer|consult|internal --sender NAME [--contact C] [--note N]',
  '                              [--expires 2d] [--max-shipments N] [--max-bytes B] [--json]',
  '       beeldpoort link revoke ID [--json]',
  '       beeldpoort link list [--json]',
  '',
  'create prints the URL to give the sender and the verification code to read out on the phone;',
  'with --json the last line is { id, url, code, expiresAt }.',
].join('\n');

export const command: Command = {
  name: 'link',
  summary: 'link create|revoke|list: manage upload links',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      purpose: { type: 'string' }, sender: { type: 'string' }, contact: { type: 'string' }, note: { type: 'string' },
      expires: { type: 'string' }, 'max-shipments': { type: 'string' }, 'max-bytes': { type: 'string' }, json: { type: 'boolean' },
    });
    const [action, id, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const ctx = await createPortalContext(loadConfig(io.env));
    const actor = { kind: 'cli' as const, id: io.env.USER ?? 'cli' };
    try {
      if (action === 'create') {
        if (!values.purpose || !values.sender) throw new UsageError('--purpose and --sender are required');
        const expiresIn = values.expires === undefined ? undefined : parseDuration(values.expires);
        if (values.expires !== undefined && expiresIn === undefined) throw new UsageError(`--expires must look like 2d, 36h or 90m, got "${values.expires}"`);
        const issued = await createLink(ctx, {
          purpose: values.purpose, senderName: values.sender, senderContact: values.contact, note: values.note, expiresIn,
          maxShipments: values['max-shipments'] === undefined ? undefined : positiveInteger(values['max-shipments'], '--max-shipments', 1),
          maxBytes: values['max-bytes'] === undefined ? undefined : positiveInteger(values['max-bytes'], '--max-bytes', 1),
        }, actor);
        const out = { id: issued.id, url: issued.url, code: issued.code, expiresAt: issued.expiresAt };
        if (!values.json) io.stdout.write(`link ${out.id} (${values.purpose}) for ${values.sender}\nURL:  ${out.url}\ncode: ${out.code}\nexpires: ${out.expiresAt}\n`);
        else io.stdout.write(`${JSON.stringify(out)}\n`);
        return 0;
      }
      if (action === 'revoke') {
        if (!id) throw new UsageError('link revoke needs the link ID');
        const link = revokeLink(ctx, id, actor);
        io.stdout.write(values.json ? `${JSON.stringify({ id: link.id, revokedAt: new Date(link.revokedAt!).toISOString() })}\n` : `link ${link.id} revoked\n`);
        return 0;
      }
      if (action === 'list') {
        const links = await Promise.all(ctx.stores.links.list().map((link) => linkView(ctx, link)));
        if (values.json) io.stdout.write(`${JSON.stringify({ links })}\n`);
        else for (const l of links) io.stdout.write(`${l.id}  ${l.status.padEnd(9)} ${l.purpose.padEnd(8)} ${l.code}  ${l.expiresAt}  ${l.sender.name}\n`);
        return 0;
      }
      throw new UsageError('expected create, revoke or list');
    } finally {
      ctx.stores.close();
    }
  },
};
