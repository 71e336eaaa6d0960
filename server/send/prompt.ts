/** Questions on a terminal for `beeldpoort send` (confirmation, the consent statement). Never used without a TTY. */
import { createInterface } from 'node:readline/promises';

export interface Prompter {
  ask(question: string): Promise<string>;
  close(): void;
}

export function createPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  const rl = createInterface({ input, output, terminal: true });
  return {
    async ask(question) {
      return (await rl.question(question)).trim();
    },
    close: () => rl.close(),
  };
}
