#!/usr/bin/env node
// The `beeldpoort` command. Runs the TypeScript sources through tsx, so `npx beeldpoort` works right after
// `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
