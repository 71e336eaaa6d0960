/**
 * The destination the CLI commands talk to: --pacs AET@host:port (or BEELDPOORT_PACS) and the calling AE title
 * (--calling-aet or BEELDPOORT_CALLING_AET), validated by the same rules as the configuration.
 */
import { parsePacsAddress, type Config } from '../config.ts';
import type { Destination } from './association.ts';

/** Returns the destination, or a problem to show as a usage error. */
export function resolveDestination(config: Config, pacs: string | undefined, callingAet: string | undefined): Destination | string {
  let address = config.pacs;
  if (pacs !== undefined) {
    const parsed = parsePacsAddress(pacs);
    if (typeof parsed === 'string') return `--pacs: ${parsed}`;
    address = parsed;
  }
  if (!address) return 'no PACS: give --pacs AET@host:port or set BEELDPOORT_PACS';
  const calling = callingAet ?? config.callingAet;
  if (!/^[\x20-\x5b\x5d-\x7e]{1,16}$/.test(calling)) return `--calling-aet "${calling}" must be 1-16 printable characters without backslash`;
  return { calledAet: address.calledAet, host: address.host, port: address.port, callingAet: calling };
}
