/** `beeldpoort user add EMAIL`: add a receiver account. The password comes from stdin when piped, else one is generated and printed once. */
import { randomBytes } from 'node:crypto';
import type { Command, CommandIo } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config.ts';
import { openStores } from '../../portal/db/stores.ts';
import { addUser } from '../../portal/receiver/users.ts';

async function readStdin(io: CommandIo): Promise<string> {
  let text = '';
  for await (const chunk of io.stdin) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text.split(/\r?\n/)[0] ?? '';
}

export const command: Command = {
  name: 'user',
  summary: 'user add EMAIL: add a receiver account',
  usage: [
    'Usage: beeldpoort user add EMAIL [--role admin|radiologist] [--name NAME] [--json]',
    '',
    'With a password piped on stdin (first line) that password is used; otherwise a strong one is',
    'generated and printed once.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { role: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } });
    const [action, email, ...extra] = positionals;
    if (action !== 'add' || !email || extra.length > 0) throw new UsageError('expected "user add EMAIL"');
    const piped = io.stdin.isTTY !== true;
    const password = piped ? await readStdin(io) : '';
    const generated = password === '';
    const finalPassword = generated ? randomBytes(15).toString('base64url') : password;
    const config = loadConfig(io.env);
    const stores = openStores(config.dataDir);
    try {
      const user = await addUser(stores, { email, password: finalPassword, role: values.role, name: values.name }, { kind: 'cli', id: io.env.USER ?? 'cli' });
      const out = { id: user.id, email: user.email, role: user.role, ...(generated ? { password: finalPassword } : {}) };
      if (values.json) io.stdout.write(`${JSON.stringify(out)}\n`);
      else {
        io.stdout.write(`added ${user.role} ${user.email}\n`);
        if (generated) io.stdout.write(`password (shown once): ${finalPassword}\n`);
      }
      return 0;
    } finally {
      stores.close();
    }
  },
};
