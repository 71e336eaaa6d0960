/**
 * The contract every subcommand module fulfils. Exit status 0 on success; a failure throws (a BeeldpoortError
 * gives its code) and main() prints one line on stderr and returns non-zero. With --json a command prints one
 * JSON object as the last line of stdout.
 */
export interface Command {
  readonly name: string;
  /** One line for `beeldpoort --help`. */
  readonly summary: string;
  /** The usage block for `beeldpoort NAME --help`. */
  readonly usage: string;
  run(args: string[], io: CommandIo): Promise<number>;
}

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Thrown for wrong arguments; main() prints the message and the command's usage. */
export class UsageError extends Error {
  readonly code = 'E_USAGE';
}
