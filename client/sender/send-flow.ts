/**
 * Steps 4 and 5 (issue 7 items 6 and 7): plan the shipment with the shared pipeline, keep its resume state in
 * localStorage, upload through Uppy + tus with lazy per-chunk encryption, then poll the portal for the outcome.
 * A network outage longer than the pipeline's own retries does not end the send: the page keeps retrying
 * (resuming from what the portal holds) until it succeeds or the portal says the link can no longer be used.
 */
import type { ShipmentSummary, Statements } from '../../shared/format/index.ts';
import {
  FINAL_STATES,
  SendError,
  planShipment,
  sendShipment,
  type LinkInfo,
  type PlainFile,
  type ResumeState,
  type ResumeStore,
  type SendInstance,
  type SenderApi,
  type ShipmentStatus,
} from '../../shared/send/index.ts';
import type { Inventory, ScanOutput } from './inventory-model.ts';
import { selectedInstances, selectionTotals, shipmentSummary } from './inventory-model.ts';
import { resumeKey } from './local-resume-store.ts';
import type { SenderI18n } from './messages.ts';
import { CipherWorker } from './cipher-client.ts';
import type { PickedFile } from './pick-files.ts';
import { plainFile } from './plain-file.ts';
import type { ReceiptFacts } from './receipt-view.ts';
import type { UploadView } from './upload-view.ts';
import { UppyTransport } from './uppy-transport.ts';

export interface SendFlowInput {
  readonly api: SenderApi;
  readonly link: LinkInfo;
  readonly picked: readonly PickedFile[];
  readonly scan: ScanOutput;
  readonly inventory: Inventory;
  readonly deselected: ReadonlySet<string>;
  readonly statements: Statements;
  readonly store: ResumeStore;
  readonly i18n: SenderI18n;
  readonly view: UploadView;
  /** Called with the transport once uploading starts (the pause button drives it). */
  onTransport(transport: UppyTransport): void;
}

/**
 * Uploads at once (an upload is a bundle of small files, or one big file: shared/send/bundles.ts): pitfalls.md
 * advises 4-6 for tus. Chromium opens at most 6 connections per host over HTTP/1.1; 5 leaves one free for the API
 * calls (status, retries) so they never queue behind uploads.
 */
const CONCURRENCY = 5;
/**
 * Uploads the pipeline works on beyond those on the wire: each waits in Uppy's queue with its first chunk already
 * read and encrypted (ciphertext-reader.ts), so a connection that frees up starts the next request at once.
 * Bounds the memory held ahead to PREPARED_AHEAD chunks (with 16 MiB bundles, 8 MiB each). Reading the NEXT chunk
 * of a running upload ahead as well was measured (bench:browser, 700 MB CD, alternating): no gain on 2 cores, where
 * the send is CPU-bound, so it is not done.
 */
const PREPARED_AHEAD = 3;
/** Files hashed at once while planning: reads and digests of several files overlap. */
const HASH_CONCURRENCY = 6;

export async function runSend(input: SendFlowInput): Promise<ReceiptFacts> {
  const { link, view, store } = input;
  const key = resumeKey(link.linkId);
  const chosen = selectedInstances(input.scan, input.deselected);
  const summary = shipmentSummary(input.scan, input.inventory, input.deselected);
  const resume = await store.load(key);
  view.preparing(0, chosen.length);
  // The File behind each PlainFile: the cipher worker reads the Files itself.
  const files = new Map<PlainFile, File>();
  const instances = chosen.map((instance) => {
    const picked = input.picked[instance.index]!;
    const file = plainFile(picked.path, picked.file);
    files.set(file, picked.file);
    return { file, dicom: instance.dicom };
  });
  const cipher = new CipherWorker((plain) => files.get(plain)!);
  try {
    return await planAndSend(input, { instances, cipher, key, summary, resume });
  } finally {
    cipher.terminate();
  }
}

async function planAndSend(
  input: SendFlowInput,
  { instances, cipher, key, summary, resume }: { instances: SendInstance[]; cipher: CipherWorker; key: string; summary: ShipmentSummary; resume: ResumeState | undefined },
): Promise<ReceiptFacts> {
  const { api, link, i18n, view, store } = input;
  const plan = await planShipment({
    link,
    instances,
    summary,
    statements: input.statements,
    ...(resume ? { resume } : {}),
    hashFile: (file) => cipher.hash(file),
    concurrency: HASH_CONCURRENCY,
    onHashed: (done, total) => view.preparing(done, total),
  });
  if (plan.resumed) view.notice(i18n.t('resumed'));
  else if (resume) view.notice(i18n.t('differentCd'));
  await store.save(key, plan.state);
  // A new task before the shipment is declared: sealing the envelope, saving the resume state (localStorage) and
  // serialising the declaration of a 1,300-file CD were one 75-126 ms main-thread task (bench:browser-profile).
  await new Promise((resolve) => setTimeout(resolve, 0));

  const transport = new UppyTransport({ limit: CONCURRENCY, onRetry: () => view.status(i18n.t('retrying'), true) });
  input.onTransport(transport);
  try {
    for (let round = 1; ; round++) {
      try {
        view.status('');
        await sendShipment(plan, {
          api,
          transport,
          concurrency: CONCURRENCY + PREPARED_AHEAD,
          openSource: async (recipe) => cipher.open(recipe),
          onProgress: (progress) => view.progress(progress),
          onNotice: () => view.status(i18n.t('retrying'), true),
        });
        break;
      } catch (error) {
        const failure = error instanceof SendError ? error : new SendError('E_SEND_UPLOAD', String(error));
        if (failure.permanent && failure.code !== 'E_SEND_INCOMPLETE') throw failure;
        view.status(i18n.t('retrying'), true);
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 2_000 * round)));
      }
    }
  } finally {
    transport.destroy();
  }
  await store.remove(key);
  const totals = selectionTotals(input.inventory, input.deselected);
  return {
    institution: link.institution.name,
    department: link.institution.department,
    shipmentId: plan.shipmentId,
    sentAt: new Date(),
    studies: totals.studies,
    series: totals.series,
    instances: totals.instances,
    bytes: totals.bytes,
  };
}

/**
 * Poll intervals of the receipt: a shipment that is `received` or `importing` finishes within seconds to minutes,
 * so the page asks every half second (as `beeldpoort send --wait`); one that is `held` waits for a person (consent
 * verification), and one still `uploading` for the sender, so those are asked less often.
 */
const ACTIVE_STATES: ReadonlySet<string> = new Set(['received', 'importing']);
const ACTIVE_POLL_MS = 500;
const IDLE_POLL_MS = 1_500;

/** Polls GET /api/sender/shipments/:id until a final state, riding out network errors. */
export async function pollOutcome(api: SenderApi, shipmentId: string, onStatus: (status: ShipmentStatus) => void, signal: AbortSignal): Promise<void> {
  let last = '';
  let state = '';
  for (let failures = 0; !signal.aborted; ) {
    try {
      const status = await api.shipment(shipmentId);
      failures = 0;
      state = status.state;
      const fingerprint = JSON.stringify([status.state, status.outcome]);
      if (fingerprint !== last) {
        last = fingerprint;
        onStatus(status);
      }
      if (FINAL_STATES.has(status.state)) return;
    } catch (error) {
      if (error instanceof SendError && error.permanent) return;
      failures += 1;
    }
    const interval = failures > 0 ? Math.min(30_000, 2_000 * failures) : ACTIVE_STATES.has(state) ? ACTIVE_POLL_MS : IDLE_POLL_MS;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
