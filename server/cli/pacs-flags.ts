/**
 * The flags that name the PACS and how to reach it, shared by `beeldpoort echo` and `beeldpoort store`: the same
 * options, the same usage lines and the same mapping onto resolveDestination, so the two commands cannot drift.
 */
import type { DestinationFlags } from '../dicom/destination.ts';

/** parseArgs options (node:util) for the PACS address, our AE title and DICOM over TLS. */
export const PACS_OPTIONS = {
  pacs: { type: 'string' },
  'calling-aet': { type: 'string' },
  tls: { type: 'boolean' },
  'no-tls': { type: 'boolean' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-key-passphrase-file': { type: 'string' },
  'tls-servername': { type: 'string' },
} as const;

/** The usage lines of PACS_OPTIONS. */
export const PACS_OPTIONS_USAGE = `  --pacs AET@host:port   called AE title, host and port of the PACS
  --calling-aet AET      our AE title (default BEELDPOORT_CALLING_AET or BEELDPOORT)
  --tls                  DICOM over TLS (PS3.15 B.1), the PACS verified against Node's default trust store
  --tls-ca FILE          PEM CA certificate(s) to verify the PACS against instead (implies --tls)
  --tls-cert FILE        PEM client certificate for a PACS that requires mutual TLS (with --tls-key)
  --tls-key FILE         its PEM private key (with --tls-cert)
  --tls-key-passphrase-file FILE
                         a file whose first line is the passphrase of an encrypted --tls-key
  --tls-servername NAME  the DNS name in the PACS certificate, when --pacs gives another name or an address
  --no-tls               plain TCP even when BEELDPOORT_PACS_TLS* is set
                         (TLS flags replace the BEELDPOORT_PACS_TLS* variables as a group)`;

type PacsValues = { [K in keyof typeof PACS_OPTIONS]?: (typeof PACS_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** The parsed PACS_OPTIONS as resolveDestination's flags. */
export function destinationFlags(values: PacsValues): DestinationFlags {
  return {
    pacs: values.pacs, callingAet: values['calling-aet'], tls: values.tls, noTls: values['no-tls'],
    tlsCa: values['tls-ca'], tlsCert: values['tls-cert'], tlsKey: values['tls-key'],
    tlsKeyPassphraseFile: values['tls-key-passphrase-file'], tlsServername: values['tls-servername'],
  };
}
