/**
 * The one place that reads the environment. Every variable is validated here and every problem is reported
 * at once (ConfigError lists them all), so an operator fixes a deployment in one round. Everything else
 * receives the frozen `Config` below and never touches process.env.
 */
import path from 'node:path';
import { BeeldpoortError } from '../shared/errors.ts';
import { givenNames, readPacsTls, type PacsTls, type PacsTlsInput } from './pacs-tls.ts';

export type { PacsTls };

export interface PacsAddress {
  /** Called AE title of the PACS (PS3.8 §9.3.2: 1–16 characters, no backslash or control characters). */
  readonly calledAet: string;
  readonly host: string;
  readonly port: number;
}

export interface Config {
  /** Root of everything the embedded default keeps: SQLite database, tus files, keys, worker staging. */
  readonly dataDir: string;
  /** Address the portal listens on. */
  readonly host: string;
  readonly port: number;
  /** The URL senders and receivers see (links point here). Defaults to http://localhost:PORT. */
  readonly publicUrl: string;
  /** Where the worker finds the portal; defaults to publicUrl. */
  readonly portalUrl: string;
  /** The PACS the worker stores into; undefined means the embedded folder destination under dataDir. */
  readonly pacs: PacsAddress | undefined;
  /**
   * BEELDPOORT_PACS_VERIFY: `cfind` checks after each shipment that the PACS holds every instance it answered
   * C-STORE success for (reliability W9: a filter or plugin may drop an instance and still answer success), by a
   * C-FIND per series; unset (default) or `off` trusts the status. Only with BEELDPOORT_PACS.
   */
  readonly pacsVerify: 'cfind' | undefined;
  /**
   * How long post-verification keeps asking for instances the PACS does not return yet, in seconds
   * (BEELDPOORT_PACS_VERIFY_WAIT, default 20): a PACS may index an instance well after its C-STORE response.
   */
  readonly pacsVerifyWaitSeconds: number;
  /**
   * DICOM over TLS to the PACS (PS3.15 B.1; NEN 7510 asks for it on hospital networks), undefined: plain TCP.
   * BEELDPOORT_PACS_TLS=on verifies the PACS against Node's default trust store; BEELDPOORT_PACS_TLS_CA (PEM) trusts
   * that CA instead; BEELDPOORT_PACS_TLS_CERT + _KEY (PEM, both or neither) present a client certificate for mutual
   * TLS. Either file implies on. Files are read here, once. Only with BEELDPOORT_PACS.
   */
  readonly pacsTls: PacsTls | undefined;
  /** Our AE title when we call the PACS. */
  readonly callingAet: string;
  /**
   * Parallel associations to the PACS. Default 8: a PACS that leaves Nagle's algorithm on answers each C-STORE in
   * two TCP segments, the second held ~40 ms for our delayed ACK; only parallel associations hide that stall
   * (bench:store measured 3x storescu's speed at 4, 5.6x at 8). Still bounded, so a PACS is never flooded.
   */
  readonly associations: number;
  /** Name of the receiving institution and department, shown to senders. */
  readonly institution: { readonly name: string; readonly department: string };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Portal policy (links, quotas, retention). */
  readonly portal: PortalPolicy;
  /** Notifications to the receivers on "received" and "imported" (server/portal/notify/). */
  readonly notify: NotifySettings;
}

export interface NotifySettings {
  /** BEELDPOORT_SMTP_URL, smtp://user:pass@host:587 or smtps://…; unset: no e-mail. */
  readonly smtpUrl: string | undefined;
  /** BEELDPOORT_MAIL_FROM, default beeldpoort@<public host>. */
  readonly mailFrom: string;
  /** BEELDPOORT_NOTIFY_EMAIL: comma-separated addresses that receive the notifications. */
  readonly mailTo: readonly string[];
  /** BEELDPOORT_WEBHOOK_URL: http(s) URL that receives a JSON POST per notification; unset: none. */
  readonly webhookUrl: string | undefined;
}

export interface PortalPolicy {
  /** Longest expiry a link may be given, in days (BEELDPOORT_LINK_MAX_DAYS, default 30). Default expiry is 7 days. */
  readonly linkMaxDays: number;
  /** Largest ciphertext budget one link may have, in bytes (BEELDPOORT_LINK_MAX_BYTES, default 20 GiB). */
  readonly linkMaxBytes: number;
  /** Days the ciphertext of a finished shipment is kept (BEELDPOORT_RETENTION_DAYS, default 7). */
  readonly retentionDays: number;
  /** Seconds a worker lease lasts without a heartbeat (BEELDPOORT_LEASE_SECONDS, default 300). */
  readonly leaseSeconds: number;
  /**
   * Free space the data volume keeps beyond a new upload, in bytes (BEELDPOORT_DISK_RESERVE_MB, default 256): room
   * for the database, its journal and the audit while uploads fill the disk. An upload that would eat into it is
   * refused at creation with 507 E_STORAGE_FULL (the senders retry later) instead of failing half-way.
   */
  readonly diskReserveBytes: number;
  /**
   * Express "trust proxy" (BEELDPOORT_TRUST_PROXY: a hop count, or addresses such as `loopback`); false by
   * default. Behind a reverse proxy set it, or every client shares the proxy's address (audit, rate limits).
   */
  readonly trustProxy: number | string | false;
}

export class ConfigError extends BeeldpoortError {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super('E_CONFIG', `invalid configuration: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

const AE_TITLE = /^[\x20-\x5b\x5d-\x7e]{1,16}$/; // PS3.5 §6.2 AE VR: no backslash, no control characters

/** Parses `AET@host:port` (the BEELDPOORT_PACS and --pacs syntax). Returns a problem string on failure. */
export function parsePacsAddress(text: string): PacsAddress | string {
  const match = /^([^@]+)@(\[[^\]]+\]|[^:@]+):(\d{1,5})$/.exec(text.trim());
  if (!match) return `"${text}" is not of the form AET@host:port`;
  const [, calledAet, rawHost, rawPort] = match;
  const port = Number(rawPort);
  if (!AE_TITLE.test(calledAet!.trim()) || calledAet!.trim() === '') return `AE title "${calledAet}" must be 1-16 printable characters without backslash`;
  if (port < 1 || port > 65535) return `port ${rawPort} is out of range`;
  return { calledAet: calledAet!.trim(), host: rawHost!.replace(/^\[|\]$/g, ''), port };
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, fallback: string): string => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
      return parsed.href.replace(/\/$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL, got "${raw}"`);
      return fallback;
    }
  };

  const port = integer('BEELDPOORT_PORT', 8080, 0, 65535);
  const publicUrl = url('BEELDPOORT_PUBLIC_URL', `http://localhost:${port}`);
  const portalUrl = url('BEELDPOORT_PORTAL_URL', publicUrl);

  let pacs: PacsAddress | undefined;
  if (env.BEELDPOORT_PACS) {
    const parsed = parsePacsAddress(env.BEELDPOORT_PACS);
    if (typeof parsed === 'string') problems.push(`BEELDPOORT_PACS: ${parsed}`);
    else pacs = parsed;
  }
  const verify = env.BEELDPOORT_PACS_VERIFY || 'off';
  if (verify !== 'off' && verify !== 'cfind') problems.push(`BEELDPOORT_PACS_VERIFY must be cfind or off, got "${verify}"`);
  else if (verify === 'cfind' && !env.BEELDPOORT_PACS) problems.push('BEELDPOORT_PACS_VERIFY=cfind needs BEELDPOORT_PACS (the folder destination has nothing to query)');
  const pacsVerify = verify === 'cfind' ? 'cfind' : undefined;
  const pacsTls = pacsTlsSettings(env, cwd, problems);
  const callingAet = env.BEELDPOORT_CALLING_AET || 'BEELDPOORT';
  if (!AE_TITLE.test(callingAet)) problems.push(`BEELDPOORT_CALLING_AET "${callingAet}" must be 1-16 printable characters without backslash`);

  const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = (env.BEELDPOORT_LOG_LEVEL || 'info') as Config['logLevel'];
  if (!logLevels.includes(logLevel)) problems.push(`BEELDPOORT_LOG_LEVEL must be one of ${logLevels.join(', ')}`);

  const config: Omit<Config, 'notify'> & { notify?: NotifySettings } = {
    dataDir: path.resolve(cwd, env.BEELDPOORT_DATA || 'data'),
    host: env.BEELDPOORT_HOST || '127.0.0.1',
    port,
    publicUrl,
    portalUrl,
    pacs,
    pacsVerify,
    pacsVerifyWaitSeconds: integer('BEELDPOORT_PACS_VERIFY_WAIT', 20, 0, 600),
    pacsTls,
    callingAet,
    associations: integer('BEELDPOORT_ASSOCIATIONS', 8, 1, 32),
    institution: {
      name: env.BEELDPOORT_INSTITUTION || 'Beeldpoort test hospital',
      department: env.BEELDPOORT_DEPARTMENT || 'Radiologie',
    },
    logLevel,
    portal: {
      linkMaxDays: integer('BEELDPOORT_LINK_MAX_DAYS', 30, 1, 3650),
      linkMaxBytes: integer('BEELDPOORT_LINK_MAX_BYTES', 20 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
      retentionDays: integer('BEELDPOORT_RETENTION_DAYS', 7, 0, 3650),
      leaseSeconds: integer('BEELDPOORT_LEASE_SECONDS', 300, 5, 86_400),
      diskReserveBytes: integer('BEELDPOORT_DISK_RESERVE_MB', 256, 0, 1024 * 1024) * 1024 * 1024,
      trustProxy: !env.BEELDPOORT_TRUST_PROXY ? false : /^\d+$/.test(env.BEELDPOORT_TRUST_PROXY) ? Number(env.BEELDPOORT_TRUST_PROXY) : env.BEELDPOORT_TRUST_PROXY,
    },
  };
  config.notify = notifySettings(env, publicUrl, url, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ ...config, institution: Object.freeze(config.institution), portal: Object.freeze(config.portal), notify: Object.freeze(config.notify) });
}

const TLS_NAMES = {
  ca: 'BEELDPOORT_PACS_TLS_CA', cert: 'BEELDPOORT_PACS_TLS_CERT', key: 'BEELDPOORT_PACS_TLS_KEY',
  passphrase: 'BEELDPOORT_PACS_TLS_KEY_PASSPHRASE_FILE', servername: 'BEELDPOORT_PACS_TLS_SERVERNAME',
} as const;

function pacsTlsSettings(env: Env, cwd: string, problems: string[]): PacsTls | undefined {
  const mode = env.BEELDPOORT_PACS_TLS || undefined;
  const input = Object.fromEntries(Object.entries(TLS_NAMES).map(([setting, name]) => [setting, env[name] || undefined])) as PacsTlsInput;
  const named = givenNames(input, TLS_NAMES);
  if (mode !== undefined && mode !== 'on' && mode !== 'off') {
    problems.push(`BEELDPOORT_PACS_TLS must be on or off, got "${mode}"`);
    return undefined;
  }
  if (mode === 'off' && named.length > 0) {
    problems.push(`BEELDPOORT_PACS_TLS=off contradicts ${named.join(' and ')} (which turn TLS on): unset one of them`);
    return undefined;
  }
  if (mode !== 'on' && named.length === 0) return undefined;
  if (!env.BEELDPOORT_PACS) {
    problems.push(`${mode === 'on' ? 'BEELDPOORT_PACS_TLS' : named.join(' and ')} needs BEELDPOORT_PACS (TLS applies to a PACS, not to the folder destination)`);
    return undefined;
  }
  return readPacsTls(input, TLS_NAMES, cwd, problems);
}

const MAIL_ADDRESS = /^[^\s@<>,"]{1,64}@[^\s@<>,"]{1,190}$/;

function notifySettings(env: Env, publicUrl: string, url: (name: string, fallback: string) => string, problems: string[]): NotifySettings {
  const smtpUrl = env.BEELDPOORT_SMTP_URL || undefined;
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) problems.push('BEELDPOORT_SMTP_URL must be an smtp:// or smtps:// URL');
  const mailTo = (env.BEELDPOORT_NOTIFY_EMAIL ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  for (const address of mailTo) if (!MAIL_ADDRESS.test(address)) problems.push(`BEELDPOORT_NOTIFY_EMAIL: "${address}" is not an e-mail address`);
  const mailFrom = env.BEELDPOORT_MAIL_FROM || `beeldpoort@${new URL(publicUrl).hostname}`;
  if (!MAIL_ADDRESS.test(mailFrom)) problems.push(`BEELDPOORT_MAIL_FROM: "${mailFrom}" is not an e-mail address`);
  const webhook = url('BEELDPOORT_WEBHOOK_URL', '');
  return Object.freeze({ smtpUrl, mailFrom, mailTo: Object.freeze(mailTo), webhookUrl: webhook === '' ? undefined : webhook });
}
