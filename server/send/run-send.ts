/**
 * `beeldpoort send` from start to end, with its I/O injected so tests and the benchmark drive it in-process:
 * open the link, scan the folder, show the inventory, get the consent statement and the confirmation, plan
 * (resuming an interrupted send of the same link and folder), upload, and optionally wait for the import outcome.
 * The shared pipeline (shared/send/) does the work; this file only talks to the person at the terminal.
 */
import { nodeAesGcm } from '../crypto/node-aes-gcm.ts';
import { keyFingerprint, ScratchPool, type JWK, type Statements } from '../../shared/format/index.ts';
import {
  checkStatements,
  createSenderApi,
  planShipment,
  sendShipment,
  SendError,
  summaryLine,
  waitForOutcome,
  type LinkInfo,
  type ResumeState,
  type ShipmentSummaryLine,
} from '../../shared/send/index.ts';
import { describeLink, describeInventory, describeOutcome } from './describe.ts';
import { nodeSha256 } from './node-hash.ts';
import { createProgressDisplay, formatBytes } from './progress-display.ts';
import { FileResumeStore, resumeKey } from './resume-file-store.ts';
import { scanFolder } from './scan-folder.ts';
import { createTusTransport } from './tus-transport.ts';
import type { Prompter } from './prompt.ts';

export interface RunSendOptions {
  readonly linkUrl: string;
  readonly folder: string;
  readonly yes: boolean;
  readonly wait: boolean;
  readonly statements: Statements;
  /** Where resume states live (defaultCacheDir(env)). */
  readonly cacheDir: string;
  readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Present only when stdin and stdout are a terminal: questions are asked, else refused. */
  readonly prompter?: Prompter;
  readonly concurrency?: number;
  readonly chunkSize?: number;
  /** Ciphertext octets per bundle upload at most (default: the pipeline's DEFAULT_BUNDLE_BYTES; 0: no bundles). */
  readonly bundleBytes?: number;
  /** Poll interval while waiting for the outcome (default 0.5 s). */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

export interface RunSendResult {
  readonly summary: ShipmentSummaryLine;
  /** 0 all stored (or received, without --wait); 1 some instance failed or the import failed. */
  readonly exitCode: number;
}

export async function runSend(options: RunSendOptions): Promise<RunSendResult> {
  const { out } = options;
  const api = createSenderApi(options.linkUrl, { signal: options.signal });
  const link = await api.link();
  // Show the fingerprint computed HERE from the key every file is encrypted to (docs/format.md), not just the
  // portal's word for it; the portal's own value (the same keyFingerprint form) must name the same key.
  const fingerprint = await keyFingerprint(link.publicKey as JWK);
  if (link.keyFingerprint !== fingerprint) {
    throw new SendError('E_SEND_PORTAL', 'the portal sent a public key that does not match its own fingerprint: not sending');
  }
  out.write(describeLink({ ...link, keyFingerprint: fingerprint }));

  out.write(`Scanning ${options.folder}…\n`);
  const scan = await scanFolder(options.folder);
  out.write(describeInventory(scan.inventory));
  if (scan.instances.length === 0) throw new SendError('E_SEND_NOTHING', `no DICOM instance found in ${options.folder}`);

  const statements = await completeStatements(link, options);
  checkStatements(link.purpose, statements);
  await confirm(link, scan.instances.length, scan.bytes, options);

  const store = new FileResumeStore(options.cacheDir);
  const key = resumeKey(link.linkId, options.folder);
  const resume = await loadResume(store, key, out);
  out.write(`Preparing: checksums of ${scan.instances.length} files…\n`);
  // One pool for the whole send: checksums, then the chunks being sealed, read into the same few buffers.
  const scratch = new ScratchPool();
  const plan = await planShipment({
    link,
    instances: scan.instances,
    summary: scan.summary,
    statements,
    resume,
    createHash: nodeSha256,
    scratch,
    ...(options.bundleBytes !== undefined ? { bundleBytes: options.bundleBytes } : {}),
  });
  if (resume && !plan.resumed) out.write('The files differ from the interrupted send: starting a new shipment.\n');
  await store.save(key, plan.state);
  out.write(`Shipment reference: ${plan.shipmentId}${plan.resumed ? ' (resuming)' : ''}\n`);

  const display = createProgressDisplay(out);
  const sent = await sendShipment(plan, {
    api,
    transport: createTusTransport({ chunkSize: options.chunkSize }),
    concurrency: options.concurrency,
    engine: nodeAesGcm,
    scratch,
    onProgress: (progress) => display.update(progress),
    onNotice: (message) => display.note(message),
    signal: options.signal,
  });
  display.done();
  out.write(`The portal has received all ${sent.files} files (${formatBytes(sent.bytes)}); state: ${sent.state}.\n`);

  if (!options.wait) {
    await store.remove(key);
    return { summary: summaryLine(sent.status), exitCode: 0 };
  }
  // With --wait the state stays until the outcome is in: interrupted while waiting, the same command resumes
  // the same (complete) shipment and waits again instead of sending the CD a second time.
  out.write('Waiting for the import into the PACS…\n');
  const final = await waitForOutcome(api, plan.shipmentId, {
    intervalMs: options.pollMs ?? 500,
    signal: options.signal,
    onState: (status) => {
      if (status.state === 'held') out.write('Held: a receiver must verify the consent statement before the import.\n');
      else out.write(`State: ${status.state}\n`);
    },
  });
  await store.remove(key);
  const summary = summaryLine(final);
  out.write(describeOutcome(summary));
  return { summary, exitCode: summary.failed > 0 || summary.state === 'failed' ? 1 : 0 };
}

async function loadResume(store: FileResumeStore, key: string, out: NodeJS.WritableStream): Promise<ResumeState | undefined> {
  try {
    return await store.load(key);
  } catch (error) {
    if (!(error instanceof SendError)) throw error;
    out.write(`Ignoring an unreadable resume state (${store.pathFor(key)}): starting a new shipment.\n`);
    return undefined;
  }
}

/** Consent for a consultation: from the flags, else asked on a terminal, else refused before any upload. */
async function completeStatements(link: LinkInfo, options: RunSendOptions): Promise<Statements> {
  const given = options.statements;
  if (link.purpose !== 'consult' || !options.prompter) return given;
  const consent = given.consent;
  if (consent?.recordedBy && consent.date && consent.reference) return given;
  const out = options.out;
  out.write('This is a consultation: the patient must have consented. State who recorded the consent, when and where.\n');
  const recordedBy = consent?.recordedBy || (await options.prompter.ask('Consent recorded by (name, role): '));
  const date = consent?.date || (await options.prompter.ask('Date consent was recorded (YYYY-MM-DD): '));
  const reference = consent?.reference || (await options.prompter.ask('Reference (chart, form number): '));
  return { ...given, consent: { recordedBy, date, reference } };
}

async function confirm(link: LinkInfo, instances: number, bytes: number, options: RunSendOptions): Promise<void> {
  if (options.yes) return;
  if (!options.prompter) {
    throw new SendError('E_SEND_NOT_CONFIRMED', 'not confirmed: check the inventory above and re-run with --yes (no terminal to ask on)');
  }
  const answer = await options.prompter.ask(`Send ${instances} instances (${formatBytes(bytes)}) to ${link.institution.name}, ${link.institution.department}? [y/N] `);
  if (!/^(y|yes|j|ja)$/i.test(answer)) throw new SendError('E_SEND_NOT_CONFIRMED', 'not sent: not confirmed');
}
