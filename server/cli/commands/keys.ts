/** `beeldpoort keys init`: create the institution key pair, link-signing key and worker credential (idempotent). */
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config.ts';
import { openStores } from '../../portal/db/stores.ts';
import { initKeys } from '../../portal/keys/init-keys.ts';
import { keyPaths } from '../../portal/keys/key-files.ts';

export const command: Command = {
  name: 'keys',
  summary: 'keys init: create the institution key pair, link-signing key and worker credential',
  usage: [
    'Usage: beeldpoort keys init [--json]',
    '',
    'Creates under BEELDPOORT_DATA whatever is missing (never replaces an existing key):',
    '  keys/institution.public.jwk      X25519 public key senders encrypt to',
    '  keys/link-signing.jwk            Ed25519 key that signs upload links (0600)',
    '  worker/institution.private.jwk   the private key, for the import worker only (0600, dir 0700)',
    '  worker/credential                the worker\'s bearer credential (0600; the portal keeps its hash)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    if (positionals[0] !== 'init' || positionals.length !== 1) throw new UsageError('expected "keys init"');
    const config = loadConfig(io.env);
    const stores = openStores(config.dataDir);
    try {
      const result = await initKeys(config.dataDir, stores.settings);
      const paths = keyPaths(config.dataDir);
      if (values.json) io.stdout.write(`${JSON.stringify({ created: result.created, fingerprint: result.fingerprint, publicKey: paths.institutionPublic })}\n`);
      else {
        io.stdout.write(result.created.length ? `created: ${result.created.join(', ')}\n` : 'all keys already present\n');
        io.stdout.write(`institution key fingerprint: ${result.fingerprint}\nprivate key (worker only): ${paths.institutionPrivate}\n`);
      }
      return 0;
    } finally {
      stores.close();
    }
  },
};
