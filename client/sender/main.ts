/**
 * The sender page (client/sender/index.html at /s/#<token>): open the link, choose the CD, scan it in a
 * worker, confirm the inventory, state the purpose, upload encrypted, show the receipt. The token is the whole
 * URL fragment, so it never reaches a server log or a Referer header (docs/architecture.md, "Link").
 */
import './sender.css';
import { SendError, createSenderApi, type LinkInfo, type SenderApi, type ShipmentStatus } from '../../shared/send/index.ts';
import { byId, showOnly } from '../shared-ui/dom.ts';
import { applyStatic } from '../shared-ui/i18n.ts';
import { formatNumber } from '../shared-ui/format.ts';
import { buildInventory, selectionTotals, type Inventory, type ScanOutput } from './inventory-model.ts';
import { renderInventory } from './inventory-view.ts';
import { isExhausted, linkErrorMessage } from './link-messages.ts';
import { createLocalResumeStore, resumeKey } from './local-resume-store.ts';
import { createSenderI18n, type Lang, type MessageKey } from './messages.ts';
import type { PickResult } from './pick-files.ts';
import { setUpPurpose, type PurposeStep } from './purpose-step.ts';
import { renderReceipt, renderState, type ReceiptFacts } from './receipt-view.ts';
import { renderReceiver } from './receiver-view.ts';
import { preselectResumed } from './resume-selection.ts';
import { scanInWorker } from './scan-client.ts';
import { setUpSelect } from './select-step.ts';
import { pollOutcome, runSend } from './send-flow.ts';
import { createUploadView } from './upload-view.ts';
import type { UppyTransport } from './uppy-transport.ts';

const i18n = createSenderI18n();
const store = createLocalResumeStore();
const sections = ['loading', 'link-error', 'receiver', 'select', 'scanning', 'inventory', 'purpose', 'upload', 'receipt'].map((id) => byId(id));
const section = (id: string) => byId(id);

interface PageState {
  link?: LinkInfo;
  api?: SenderApi;
  picked?: PickResult;
  scan?: ScanOutput;
  inventory?: Inventory;
  deselected: Set<string>;
  purpose?: PurposeStep;
  receipt?: ReceiptFacts;
  status?: ShipmentStatus;
  linkError?: MessageKey;
  uploading: boolean;
}
const state: PageState = { deselected: new Set(), uploading: false };
const rerenders: Array<() => void> = [];

function show(...ids: string[]): void {
  showOnly(sections, ids.map(section));
}

function setUpLanguages(): void {
  const buttons = [...document.querySelectorAll<HTMLButtonElement>('button[data-lang]')];
  const mark = () => buttons.forEach((button) => button.setAttribute('aria-pressed', String(button.dataset.lang === i18n.lang())));
  for (const button of buttons) button.addEventListener('click', () => i18n.setLang(button.dataset.lang as Lang));
  i18n.onChange(() => {
    applyStatic(document, i18n);
    mark();
    for (const rerender of rerenders) rerender();
  });
  applyStatic(document, i18n);
  mark();
}

function linkError(key: MessageKey, retryable: boolean): void {
  state.linkError = key;
  byId('link-error-text').textContent = i18n.t(key);
  byId('link-retry').hidden = !retryable;
  show('link-error', ...(state.link ? ['receiver'] : []));
}

async function openLink(): Promise<void> {
  const token = decodeURIComponent(location.hash.replace(/^#/, ''));
  if (!token) return linkError('linkMissing', false);
  show('loading');
  try {
    state.api = createSenderApi(location.href, { attempts: 3 });
    state.link = await state.api.link();
  } catch (error) {
    const code = error instanceof SendError ? error.code : undefined;
    const { key, retryable } = linkErrorMessage(code);
    return linkError(key, retryable);
  }
  renderReceiver(byId('receiver-body'), state.link, i18n);
  state.purpose = setUpPurpose(state.link, i18n);
  const resumable = (await store.load(resumeKey(state.link.linkId))) !== undefined;
  if (isExhausted(state.link) && !resumable) return linkError('linkExhausted', false);
  show('receiver', 'select');
}

async function onPicked(picked: PickResult): Promise<void> {
  if (state.uploading) return;
  state.picked = picked;
  byId('purpose-error').hidden = true;
  const progress = byId<HTMLProgressElement>('scan-progress');
  const status = byId('scan-status');
  progress.value = 0;
  status.textContent = '';
  show('receiver', 'select', 'scanning');
  try {
    state.scan = await scanInWorker(picked.files, (done, total) => {
      progress.max = Math.max(1, total);
      progress.value = done;
      status.textContent = i18n.t('scanProgress', { done: formatNumber(done, i18n.locale()), total: formatNumber(total, i18n.locale()) });
    });
  } catch (error) {
    status.textContent = i18n.t('scanFailed', { reason: error instanceof Error ? error.message : String(error) });
    return;
  }
  if (picked.unreadable.length > 0) {
    state.scan = { ...state.scan, skipped: [...state.scan.skipped, ...picked.unreadable] };
  }
  state.inventory = buildInventory(state.scan);
  state.deselected = await preselectResumed(store, state.link!, state.scan);
  drawInventory();
  const any = state.scan.instances.length > 0;
  show('receiver', 'inventory', ...(any ? ['purpose'] : ['select']));
  if (!any) byId('select-status').textContent = i18n.t('noImages');
  byId('inventory-heading').focus();
}

function drawInventory(): void {
  if (!state.inventory) return;
  renderInventory(byId('inventory-body'), {
    inventory: state.inventory,
    i18n,
    deselected: state.deselected,
    onChange: () => {
      byId<HTMLButtonElement>('send').disabled = state.uploading || selectionTotals(state.inventory!, state.deselected).instances === 0;
    },
    onChooseOther: () => {
      if (state.uploading) return;
      state.scan = undefined;
      state.inventory = undefined;
      show('receiver', 'select');
    },
  });
}

async function onSend(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const { link, api, scan, inventory, picked, purpose } = state;
  if (!link || !api || !scan || !inventory || !picked || !purpose || state.uploading) return;
  if (selectionTotals(inventory, state.deselected).instances === 0) return;
  const statements = purpose.read();
  if (!statements) return;
  purpose.remember(statements);
  state.uploading = true;
  purpose.setEnabled(false);
  for (const box of byId('inventory-body').querySelectorAll<HTMLInputElement>('input, button')) box.disabled = true;
  const view = createUploadView(i18n);
  view.notice(null);
  show('receiver', 'upload');
  byId('upload-heading').focus();
  window.addEventListener('beforeunload', warnBeforeLeaving);
  let transport: UppyTransport | undefined;
  const pause = byId<HTMLButtonElement>('pause');
  const onPause = () => {
    if (!transport) return;
    if (transport.isPaused()) {
      transport.resume();
      pause.textContent = i18n.t('pause');
      view.status('');
    } else {
      transport.pause();
      pause.textContent = i18n.t('resume');
      view.status(i18n.t('paused'));
    }
  };
  pause.addEventListener('click', onPause);
  try {
    state.receipt = await runSend({
      api, link, picked: picked.files, scan, inventory, deselected: state.deselected, statements, store, i18n, view,
      onTransport: (created) => (transport = created),
    });
  } catch (error) {
    const code = error instanceof SendError ? error.code : undefined;
    const known = code ? linkErrorMessage(code) : undefined;
    const text = code === 'E_SEND_PROXY_LIMIT' ? i18n.t('proxyLimit')
      : known && known.key !== 'linkUnreachable' ? i18n.t(known.key)
      : i18n.t('uploadFailed', { reason: error instanceof Error ? error.message : String(error) });
    view.status(text, true);
    window.removeEventListener('beforeunload', warnBeforeLeaving);
    pause.removeEventListener('click', onPause);
    pause.disabled = true;
    return;
  }
  window.removeEventListener('beforeunload', warnBeforeLeaving);
  pause.removeEventListener('click', onPause);
  purpose.forget();
  state.uploading = false;
  showReceipt(api, state.receipt);
}

function showReceipt(api: SenderApi, receipt: ReceiptFacts): void {
  renderReceipt(receipt, i18n);
  show('receiver', 'receipt');
  byId('receipt-heading').focus();
  const stop = new AbortController();
  void pollOutcome(api, receipt.shipmentId, (status) => {
    state.status = status;
    renderState(status, i18n);
  }, stop.signal);
}

function warnBeforeLeaving(event: BeforeUnloadEvent): string {
  event.preventDefault();
  // Browsers show their own text; returnValue must be set for the prompt to appear (HTML spec, beforeunload).
  event.returnValue = i18n.t('leaveWarning');
  return i18n.t('leaveWarning');
}

setUpLanguages();
rerenders.push(
  () => state.link && renderReceiver(byId('receiver-body'), state.link, i18n),
  () => state.linkError && (byId('link-error-text').textContent = i18n.t(state.linkError)),
  () => !state.uploading && drawInventory(),
  () => state.receipt && renderReceipt(state.receipt, i18n),
  () => state.status && renderState(state.status, i18n),
);
const select = setUpSelect(i18n, (picked) => void onPicked(picked));
byId<HTMLFormElement>('purpose-form').addEventListener('submit', (event) => void onSend(event as SubmitEvent));
byId('link-retry').addEventListener('click', () => void openLink());
byId('print').addEventListener('click', () => window.print());
byId('again').addEventListener('click', () => {
  state.scan = undefined;
  state.inventory = undefined;
  state.receipt = undefined;
  state.status = undefined;
  state.deselected = new Set();
  select.setEnabled(true);
  state.purpose?.setEnabled(true);
  show('receiver', 'select');
});
window.addEventListener('hashchange', () => location.reload());
void openLink();
