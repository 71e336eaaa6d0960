// Entry of the validation thread. A worker thread does not inherit tsx's loader when the process registered it
// through the API (server/cli/bin.js), so the thread registers it itself before loading the TypeScript body.
// (Run from the CLI bundle, validator.ts starts the bundle's compiled thread instead: scripts/build-cli.mjs.)
import { register } from 'tsx/esm/api';

register();
await import('./validate-thread.ts');
