/**
 * Argument parsing for subcommands: node:util parseArgs in strict mode, with its errors turned into
 * UsageError so the user sees the command's usage next to what was wrong.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.ts';

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A positive integer flag value, or the fallback when absent. */
export function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return parsed;
}
