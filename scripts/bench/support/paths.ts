// Where the benchmarks find the repository, the CLI and their cache of generated test CDs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = path.join(ROOT, 'server/cli/bin.js');
export const CACHE = path.join(ROOT, '.bench-cache');
