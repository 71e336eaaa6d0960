/** Small pieces shared by the views: badges, tables, progress, error notices. All text goes in as text nodes. */
import { ApiError } from './api.ts';
import { h, type Child } from './dom.ts';
import { bytes } from './format.ts';
import { t, type MessageKey } from './i18n.ts';
import type { LinkStatus, Purpose, ShipmentState, ShipmentView } from './model.ts';

export function stateBadge(state: ShipmentState): HTMLElement {
  const known = ['uploading', 'received', 'held', 'importing', 'imported', 'imported-with-failures', 'failed'].includes(state);
  return h('span', { class: `badge state-${known ? state : 'unknown'}`, 'data-state': state },
    known ? t(`state.${state}` as MessageKey) : state);
}

export function linkStatusBadge(status: LinkStatus): HTMLElement {
  return h('span', { class: `badge link-${status}`, 'data-status': status }, t(`linkStatus.${status}`));
}

export function purposeLabel(purpose: Purpose, urgent: boolean): Child {
  const known = purpose === 'transfer' || purpose === 'consult' || purpose === 'internal';
  return [
    h('span', { 'data-purpose': purpose }, known ? t(`purpose.${purpose}`) : purpose),
    urgent ? [' ', h('span', { class: 'badge urgent' }, t('urgent'))] : null,
  ];
}

/** Upload progress while uploading, import progress while importing, the outcome afterwards. */
export function shipmentProgress(s: ShipmentView): HTMLElement {
  if (s.state === 'uploading' || (s.filesComplete < s.fileCount && s.state !== 'failed')) {
    return h('div', { class: 'progress', 'data-progress': 'upload' },
      h('progress', { max: Math.max(s.totalBytes, 1), value: s.bytesReceived, 'aria-label': t('shipments.progress') }),
      // Bytes only: the portal sees uploads, and a bundle upload carries many DICOM files, so a count of complete
      // uploads ("3 of 44") would not be the CD's files. The files are counted once the worker reports them.
      h('span', {}, t('progress.upload', { bytes: bytes(s.bytesReceived), totalBytes: bytes(s.totalBytes) })));
  }
  if (s.state === 'importing') {
    return h('div', { class: 'progress', 'data-progress': 'import' },
      h('progress', { max: Math.max(s.instances, 1), value: s.outcomes.reported, 'aria-label': t('shipments.progress') }),
      h('span', {}, t('progress.import', { done: s.outcomes.reported, total: s.instances })));
  }
  if (s.outcomes.reported > 0) {
    return h('div', { class: 'progress', 'data-progress': 'outcome' },
      t('progress.outcome', { stored: s.outcomes.stored + s.outcomes.warning, failed: s.outcomes.failed }));
  }
  return h('div', { class: 'progress' }, t('progress.received', { files: s.instances, bytes: bytes(s.totalBytes) }));
}

/** A table with a caption and header cells scoped to their columns (WCAG 1.3.1). */
export function table(caption: string, headers: string[], rows: HTMLTableRowElement[], options: { captionHidden?: boolean } = {}): HTMLTableElement {
  return h('table', {},
    h('caption', { class: options.captionHidden ? 'visually-hidden' : null }, caption),
    h('thead', {}, h('tr', {}, headers.map((header) => h('th', { scope: 'col' }, header)))),
    h('tbody', {}, rows));
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${t('error.generic', { message: error.message })} (${error.code})`;
  return t('error.generic', { message: error instanceof Error ? error.message : String(error) });
}

export function errorNotice(error: unknown): HTMLElement {
  return h('p', { class: 'notice error', role: 'alert' }, errorText(error));
}

export function definitionList(entries: ReadonlyArray<readonly [string, Child]>): HTMLDListElement {
  return h('dl', {}, entries.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}
