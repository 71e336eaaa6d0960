/**
 * DICOM over TLS to the PACS (PS3.15 B.1, the Basic TLS Secure Transport Connection Profile): the PEM files an
 * operator names (BEELDPOORT_PACS_TLS_CA/_CERT/_KEY, or the CLI's --tls-ca/--tls-cert/--tls-key) read and checked
 * once at start, so a wrong path or a key that does not belong to its certificate is a configuration error naming
 * the variable, not a handshake failure at the first shipment.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';

/** TLS to the PACS is on. Without `ca` the PACS certificate is verified against Node's default trust store. */
export interface PacsTls {
  /** PEM CA certificate(s) trusted instead of the default store. */
  readonly ca?: string;
  /** PEM client certificate (chain) and its private key, for a PACS that requires mutual TLS. Both or neither. */
  readonly cert?: string;
  readonly key?: string;
  /** The passphrase of an encrypted `key` (read from a file, never from the environment itself). */
  readonly passphrase?: string;
  /** The name the PACS certificate must carry (and SNI), when the PACS is reached by another name or an address. */
  readonly servername?: string;
  /** The files they came from (for logs: never the key or its passphrase). */
  readonly files: PacsTlsFiles;
}

export interface PacsTlsFiles {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** A file holding the key's passphrase (its first line). */
  readonly passphrase?: string;
}

/** What the operator set: the files, and the certificate name to expect. */
export interface PacsTlsInput extends PacsTlsFiles {
  readonly servername?: string;
}

/** What to call each setting in a problem: the environment variable or the CLI flag. */
export interface PacsTlsNames {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly passphrase: string;
  readonly servername: string;
}

/** The names (variables or flags) of the settings `input` gives, in the order of `names`. */
export function givenNames(input: PacsTlsInput, names: PacsTlsNames): string[] {
  return (Object.keys(names) as (keyof PacsTlsNames)[]).filter((setting) => input[setting] !== undefined).map((setting) => names[setting]);
}

/** A DNS name (RFC 1123 labels): what SNI and the certificate check take; an IP address is not a server name. */
const HOST_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads and checks the files (relative paths against `cwd`); problems are pushed, naming the setting. Returns the
 * settings, or undefined when any problem was found.
 */
export function readPacsTls(input: PacsTlsInput, names: PacsTlsNames, cwd: string, problems: string[]): PacsTls | undefined {
  const before = problems.length;
  const { servername, ...files } = input;
  if ((files.cert === undefined) !== (files.key === undefined)) {
    problems.push(`${names.cert} and ${names.key} go together (a client certificate for mutual TLS needs its private key)`);
  }
  if (files.passphrase !== undefined && files.key === undefined) problems.push(`${names.passphrase} is the passphrase of ${names.key}: give the key too`);
  if (servername !== undefined && (!HOST_NAME.test(servername) || /^[\d.]+$/.test(servername))) {
    problems.push(`${names.servername}: "${servername}" is not a host name (the DNS name in the PACS certificate)`);
  }
  const read = (name: string, file: string | undefined): string | undefined => {
    if (file === undefined) return undefined;
    const full = path.resolve(cwd, file);
    try {
      return readFileSync(full, 'utf8');
    } catch (error) {
      problems.push(`${name}: cannot read ${full} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return undefined;
    }
  };
  const ca = read(names.ca, files.ca);
  const cert = read(names.cert, files.cert);
  const key = read(names.key, files.key);
  const passphrase = read(names.passphrase, files.passphrase)?.split(/\r?\n/)[0];
  if (ca !== undefined) checkCertificates(names.ca, files.ca!, ca, problems);
  const certificate = cert === undefined ? undefined : checkCertificates(names.cert, files.cert!, cert, problems);
  let privateKey;
  if (key !== undefined && (files.passphrase === undefined || passphrase !== undefined)) {
    try {
      privateKey = createPrivateKey(passphrase === undefined ? key : { key, passphrase });
    } catch (error) {
      const encrypted = /ENCRYPTED|passphrase|bad decrypt/i.test(`${key.slice(0, 64)} ${(error as Error).message}`);
      problems.push(encrypted && passphrase === undefined
        ? `${names.key}: ${files.key} is an encrypted private key: give its passphrase in a file (${names.passphrase})`
        : encrypted
          ? `${names.passphrase}: the passphrase in ${files.passphrase} does not open ${files.key}`
          : `${names.key}: ${files.key} is not a PEM private key (${(error as Error).message})`);
    }
  }
  if (certificate && privateKey && !certificate.checkPrivateKey(privateKey)) {
    problems.push(`${names.key}: the private key in ${files.key} does not belong to the certificate in ${files.cert} (${names.cert})`);
  }
  if (problems.length > before) return undefined;
  const settings: PacsTls = {
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
    ...(passphrase !== undefined ? { passphrase } : {}),
    ...(servername !== undefined ? { servername } : {}),
    files: Object.freeze({ ...files }),
  };
  // Logged or printed, the settings show their files, never the private key or its passphrase.
  Object.defineProperty(settings, 'toJSON', { value: () => ({ files: settings.files, ...(servername !== undefined ? { servername } : {}) }) });
  return Object.freeze(settings);
}

/** The first certificate of a PEM file, after checking that every certificate in it parses. */
function checkCertificates(name: string, file: string, pem: string, problems: string[]): X509Certificate | undefined {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    problems.push(`${name}: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return undefined;
  }
  try {
    const parsed = blocks.map((block) => new X509Certificate(block));
    return parsed[0];
  } catch (error) {
    problems.push(`${name}: ${file} holds a certificate that does not parse (${(error as Error).message})`);
    return undefined;
  }
}

/** The Destination.tls of server/dicom: true (default trust store) or the node:tls options. */
export function tlsOptions(settings: PacsTls): true | ConnectionOptions {
  const { ca, cert, key, passphrase, servername } = settings;
  if (ca === undefined && cert === undefined && servername === undefined) return true;
  return {
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert, key, ...(passphrase !== undefined ? { passphrase } : {}) } : {}),
    // node:tls checks the certificate against `servername` when given, and sends it as SNI.
    ...(servername !== undefined ? { servername } : {}),
  };
}

/** One phrase for logs and output: "TLS", "TLS (CA ca.pem)", "TLS (CA ca.pem, client certificate me.pem)". */
export function describeTls(settings: PacsTls): string {
  const parts = [
    settings.files.ca !== undefined ? `CA ${settings.files.ca}` : 'default trust store',
    ...(settings.files.cert !== undefined ? [`client certificate ${settings.files.cert}`] : []),
    ...(settings.servername !== undefined ? [`name ${settings.servername}`] : []),
  ];
  return `TLS (${parts.join(', ')})`;
}
