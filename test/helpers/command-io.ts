/**
 * The standard streams of one `beeldpoort` command run in-process (`main(args, io)`): what it wrote to stdout and
 * stderr as text, and its last stdout line parsed (the `--json` summary).
 */
import { PassThrough } from 'node:stream';
import type { CommandIo } from '../../server/cli/command.ts';

export interface CapturedIo extends CommandIo {
  out(): string;
  err(): string;
  /** The last stdout line as JSON (the shape each command's --json documents). */
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function captureIo(env: Record<string, string> = {}): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  return {
    stdout, stderr, stdin: new PassThrough(), env, out: () => out, err: () => err,
    json: () => JSON.parse(out.trim().split('\n').at(-1)!),
  };
}
