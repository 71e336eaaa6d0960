/**
 * The receipt (issue 7 item 7): what was sent (counts, size), the reference, the time, and the shipment's state
 * as the portal reports it, polled until the receiving hospital has imported it or says what failed. The page
 * shows only what the PORTAL confirms (tus-js-client #557: a tus success is not proof of receipt).
 */
import { FINAL_STATES, outcomeCounts, type ShipmentStatus } from '../../shared/send/index.ts';
import { byId, h, replace } from '../shared-ui/dom.ts';
import { formatBytes, formatDateTime, formatNumber } from '../shared-ui/format.ts';
import type { SenderI18n } from './messages.ts';

export interface ReceiptFacts {
  readonly institution: string;
  readonly department: string;
  readonly shipmentId: string;
  readonly sentAt: Date;
  readonly studies: number;
  readonly series: number;
  readonly instances: number;
  /** Plaintext bytes of the images sent. */
  readonly bytes: number;
}

export function renderReceipt(facts: ReceiptFacts, i18n: SenderI18n): void {
  const t = i18n.t;
  const locale = i18n.locale();
  replace(
    byId('receipt-body'),
    h('p', { class: 'big' }, t('receiptSent', { institution: `${facts.institution}, ${facts.department}` })),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, t('reference')),
      h('dd', { class: 'fingerprint', attrs: { 'data-testid': 'reference' } }, facts.shipmentId),
      h('dt', null, t('sentAt')),
      h('dd', null, formatDateTime(facts.sentAt, locale)),
      h('dt', null, t('studies')),
      h('dd', null, formatNumber(facts.studies, locale)),
      h('dt', null, t('series')),
      h('dd', null, formatNumber(facts.series, locale)),
      h('dt', null, t('images')),
      h('dd', { attrs: { 'data-testid': 'receipt-instances' } }, formatNumber(facts.instances, locale)),
      h('dt', null, t('totalSize')),
      h('dd', null, formatBytes(facts.bytes, locale)),
    ),
  );
}

/** Shows the portal's state in plain words; `data-state` carries the raw state for tests and styling. */
export function renderState(status: ShipmentStatus, i18n: SenderI18n): void {
  const t = i18n.t;
  const line = byId('receipt-state');
  const { failed } = outcomeCounts(status);
  const reason = readReason(status.outcome);
  let text: string;
  let tone: 'done' | 'failed' | 'waiting';
  switch (status.state) {
    case 'imported':
      text = t('stateImported');
      tone = 'done';
      break;
    case 'imported-with-failures':
      text = t('stateImportedWithFailures', { failed: formatNumber(failed, i18n.locale()) });
      tone = 'failed';
      break;
    case 'failed':
      text = t('stateFailed', { reason: reason ?? '–' });
      tone = 'failed';
      break;
    case 'held':
      text = t('stateHeld');
      tone = 'waiting';
      break;
    case 'importing':
      text = t('stateImporting');
      tone = 'waiting';
      break;
    case 'received':
      text = t('stateReceived');
      tone = 'waiting';
      break;
    default:
      text = t('stateUploading');
      tone = 'waiting';
  }
  line.textContent = `${t('stateLabel')}: ${text}`;
  line.dataset.state = status.state;
  line.className = `state ${tone}`;
  const failures = byId('receipt-failures');
  if (FINAL_STATES.has(status.state) && failed > 0 && reason) {
    replace(failures, h('p', { class: 'help' }, t('failedFiles')), h('p', null, reason));
  } else replace(failures);
}

function readReason(outcome: unknown): string | undefined {
  const reason = (outcome as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' && reason.trim() ? reason : undefined;
}
