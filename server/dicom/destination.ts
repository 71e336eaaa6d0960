/**
 * The destination the CLI commands talk to: --pacs AET@host:port (or BEELDPOORT_PACS), the calling AE title
 * (--calling-aet or BEELDPOORT_CALLING_AET) and DICOM over TLS (PS3.15 B.1: --tls, --tls-ca, --tls-cert, --tls-key,
 * --tls-key-passphrase-file, --tls-servername, --no-tls, or BEELDPOORT_PACS_TLS*), validated by the same rules as the
 * configuration.
 */
import { parsePacsAddress, type Config } from '../config.ts';
import { givenNames, readPacsTls, tlsOptions, type PacsTls } from '../pacs-tls.ts';
import type { Destination } from './association.ts';

export interface DestinationFlags {
  readonly pacs?: string;
  readonly callingAet?: string;
  /** --tls: on, verified against the default trust store (unless tlsCa). */
  readonly tls?: boolean;
  /** --no-tls: plain TCP whatever the environment says. */
  readonly noTls?: boolean;
  readonly tlsCa?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsKeyPassphraseFile?: string;
  readonly tlsServername?: string;
}

const FLAG_NAMES = { ca: '--tls-ca', cert: '--tls-cert', key: '--tls-key', passphrase: '--tls-key-passphrase-file', servername: '--tls-servername' } as const;

/**
 * Returns the destination, or a problem to show as a usage error. The TLS flags as a group replace the
 * environment's TLS settings as a group (so --tls alone means the default trust store even when
 * BEELDPOORT_PACS_TLS_CA is set); without any, the environment's apply, also to a --pacs address.
 * Relative file names are taken against `cwd`.
 */
export function resolveDestination(config: Config, flags: DestinationFlags, cwd: string = process.cwd()): Destination | string {
  let address = config.pacs;
  if (flags.pacs !== undefined) {
    const parsed = parsePacsAddress(flags.pacs);
    if (typeof parsed === 'string') return `--pacs: ${parsed}`;
    address = parsed;
  }
  if (!address) return 'no PACS: give --pacs AET@host:port or set BEELDPOORT_PACS';
  const calling = flags.callingAet ?? config.callingAet;
  if (!/^[\x20-\x5b\x5d-\x7e]{1,16}$/.test(calling)) return `--calling-aet "${calling}" must be 1-16 printable characters without backslash`;
  const tls = tlsFromFlags(flags, cwd);
  if (typeof tls === 'string') return tls;
  const settings = tls === null ? config.pacsTls : tls;
  return {
    calledAet: address.calledAet, host: address.host, port: address.port, callingAet: calling,
    ...(settings ? { tls: tlsOptions(settings) } : {}),
  };
}

/** null: no TLS flag given; undefined: --no-tls; else the settings, or a problem. */
function tlsFromFlags(flags: DestinationFlags, cwd: string): PacsTls | undefined | null | string {
  const input = { ca: flags.tlsCa, cert: flags.tlsCert, key: flags.tlsKey, passphrase: flags.tlsKeyPassphraseFile, servername: flags.tlsServername };
  const given = givenNames(input, FLAG_NAMES);
  if (flags.noTls) return flags.tls || given.length > 0 ? `--no-tls contradicts ${[...(flags.tls ? ['--tls'] : []), ...given].join(' and ')}` : undefined;
  if (!flags.tls && given.length === 0) return null;
  const problems: string[] = [];
  const settings = readPacsTls(input, FLAG_NAMES, cwd, problems);
  return settings ?? problems.join('; ');
}

/** True when `destination` uses TLS (for output). */
export const usesTls = (destination: Destination): boolean => destination.tls !== undefined && destination.tls !== false;

/** What an operator can do about a TLS failure: a hint to append to its message, or '' for any other failure. */
export function tlsHint(code: string | undefined, message: string): string {
  // TLS 1.3 (RFC 8446 §4.4.2.4): the server judges our certificate after our handshake has completed, so its alert
  // arrives on the open association (E_TLS there, see association.ts); OpenSSL names the alert in the message.
  if (/alert (certificate required|bad certificate|unknown ca|certificate unknown)/.test(message)) {
    return ' (the PACS refused our client certificate, or wanted one: give --tls-cert FILE and --tls-key FILE, or set BEELDPOORT_PACS_TLS_CERT and _KEY, to one it trusts)';
  }
  if (code !== 'E_TLS') return '';
  if (/altnames/.test(message)) {
    return ' (the PACS certificate does not name this host: connect by the name it was issued for, or give that name with --tls-servername NAME or BEELDPOORT_PACS_TLS_SERVERNAME)';
  }
  // Node's wording of the OpenSSL verification errors (X509_V_ERR_*).
  if (/self-signed certificate|unable to verify|unable to get (local )?issuer|certificate has expired|certificate is not yet valid|certificate not trusted/.test(message)) {
    return ' (the PACS certificate is not trusted: give --tls-ca FILE or set BEELDPOORT_PACS_TLS_CA to the CA that issued it)';
  }
  return ' (check that the PACS speaks TLS on this port, and whether it requires a client certificate: --tls-cert/--tls-key)';
}
