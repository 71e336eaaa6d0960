/**
 * One shipment, live: state and progress, what the sender stated (consent, comment), the consent gate for
 * consultations (situation B: nothing is imported until a radiologist records having verified the consent),
 * the studies the worker found, and every instance that did not reach the PACS with its DIMSE status and why.
 */
import { definitionList, errorNotice, purposeLabel, shipmentProgress, stateBadge, table } from '../components.ts';
import { h, replaceChildren } from '../dom.ts';
import { coalescer } from '../live.ts';
import { dateTime, dicomDate, dimseStatus } from '../format.ts';
import { t, type MessageKey } from '../i18n.ts';
import { listOf, toLink, toShipment, toShipmentDetail, type FileView, type ShipmentDetail } from '../model.ts';
import type { View, ViewContext } from '../view.ts';
import { stateText } from './shipments.ts';

function consentSection(ctx: ViewContext, s: ShipmentDetail, reload: () => Promise<void>): HTMLElement {
  const section = h('section', { class: 'card consent', 'aria-labelledby': 'consent-title', 'data-testid': 'consent' }, h('h2', { id: 'consent-title' }, t('consent.title')));
  if (!s.statements) {
    section.append(h('p', {}, t('shipment.noStatements')));
    return section;
  }
  const consent = s.statements.consent;
  section.append(consent
    ? definitionList([[t('consent.recordedBy'), consent.recordedBy], [t('consent.date'), consent.date], [t('consent.reference'), consent.reference]])
    : h('p', { class: 'notice warning' }, t('consent.none')));
  if (s.consentVerifiedAt) {
    section.append(h('p', { class: 'notice ok', 'data-testid': 'consent-verified' },
      t('consent.verified', { who: s.consentVerifiedBy === ctx.me.id ? ctx.me.name : s.consentVerifiedBy ?? '?', when: dateTime(s.consentVerifiedAt) })));
  } else if (s.state === 'held') {
    const status = h('div', { 'aria-live': 'polite' });
    const verify = h('button', { type: 'button', class: 'primary', 'data-action': 'verify-consent', 'data-focus': 'verify-consent' }, t('consent.verify'));
    verify.addEventListener('click', () => {
      verify.disabled = true;
      ctx.api.post(`/api/receiver/shipments/${encodeURIComponent(s.id)}/consent`, { verified: true })
        .then(reload)
        .catch((error: unknown) => {
          replaceChildren(status, errorNotice(error));
          verify.disabled = false;
        });
    });
    section.append(h('p', { class: 'help' }, t('consent.help')), verify, status);
  }
  return section;
}

function studiesSection(s: ShipmentDetail): HTMLElement {
  if (s.studies.length === 0) return h('section', { class: 'card' }, h('h2', {}, t('studies.title')), h('p', {}, t('studies.none')));
  const patients = s.studies.some((study) => study.patient !== null);
  return h('section', { class: 'card', 'data-testid': 'studies' }, table(t('studies.title'),
    [...(patients ? [t('studies.patient')] : []), t('studies.date'), t('studies.modality'), t('studies.description'), t('studies.series'), t('studies.instances')],
    s.studies.map((study) => h('tr', { 'data-study-uid': study.uid },
      patients ? h('td', {}, study.patient ?? '—') : null,
      h('td', {}, dicomDate(study.date)), h('td', {}, study.modalities), h('td', {}, study.description),
      h('td', { class: 'number' }, study.series), h('td', { class: 'number', 'data-testid': 'study-instances' }, study.instances)))));
}

function outcomeText(outcome: string | null): string {
  return outcome && ['stored', 'warning', 'rejected', 'failed'].includes(outcome) ? t(`outcome.${outcome}` as MessageKey) : outcome ?? '—';
}

function filesSection(s: ShipmentDetail): HTMLElement {
  const problems = s.files.filter((f: FileView) => f.outcome !== null && f.outcome !== 'stored');
  // Counted per DICOM file (s.files), not per upload: a bundle upload carries many files.
  const summary = t('files.summary', { complete: s.files.filter((f) => f.complete).length, total: s.instances, stored: s.outcomes.stored, warning: s.outcomes.warning, failed: s.outcomes.failed });
  return h('section', { class: 'card', 'aria-labelledby': 'files-title' },
    h('h2', { id: 'files-title' }, t('files.title')),
    h('p', { 'data-testid': 'files-summary' }, summary),
    problems.length === 0 ? null : table(t('files.failures'),
      [t('files.file'), t('files.instance'), t('files.outcome'), t('files.status'), t('files.reason')],
      problems.map((f) => h('tr', { 'data-file-id': f.fileId, 'data-outcome': f.outcome ?? '' },
        h('td', { class: 'mono' }, f.fileId), h('td', { class: 'mono' }, f.sopInstanceUid ?? '—'), h('td', {}, outcomeText(f.outcome)),
        h('td', { class: 'mono', 'data-testid': 'dimse-status' }, dimseStatus(f.dimseStatus)),
        h('td', {}, [f.reason ?? '', f.code ? ` (${f.code})` : ''])))));
}

export function shipmentView(ctx: ViewContext, id: string): View {
  const body = h('div', {}, h('p', {}, t('loading')));
  const element = h('main', { id: 'main', tabindex: -1 }, h('p', {}, h('a', { href: '#/shipments' }, '← ', t('shipment.back'))), body);
  let senderName: string | undefined;
  let lastState: string | undefined;
  let linkId: string | undefined;
  let lastFull = 0;
  let progressSlot: HTMLElement | undefined;

  async function load(): Promise<void> {
    lastFull = Date.now();
    try {
      const s = toShipmentDetail(await ctx.api.get(`/api/receiver/shipments/${encodeURIComponent(id)}`));
      linkId = s.linkId;
      if (!s.senderName) {
        senderName ??= listOf(await ctx.api.get('/api/receiver/links'), 'links', (raw) => toLink(raw)).find((l) => l.id === s.linkId)?.senderName ?? '';
        s.senderName = senderName;
      }
      if (lastState !== undefined && lastState !== s.state) ctx.announce(t('announce.state', { sender: s.senderName, state: stateText(s.state) }));
      lastState = s.state;
      const focused = document.activeElement?.getAttribute('data-focus');
      replaceChildren(body,
        h('h1', {}, t('shipment.title', { sender: s.senderName })),
        h('div', { class: 'card summary', 'data-shipment-id': s.id, 'data-state': s.state },
          h('p', { class: 'state-line' }, stateBadge(s.state), ' ', purposeLabel(s.purpose, s.urgent)),
          (progressSlot = h('div', {}, shipmentProgress(s))),
          definitionList([
            [t('shipment.id'), h('span', { class: 'mono' }, s.id)],
            [t('shipment.link'), h('span', { class: 'mono' }, s.linkId)],
            [t('shipments.created'), dateTime(s.createdAt)],
            ...(s.finishReason ? [[t('shipment.reason'), h('span', { 'data-testid': 'finish-reason' }, s.finishReason)] as const] : []),
            ...(s.statements?.comment ? [[t('shipment.comment'), h('span', { class: 'sender-text', 'data-testid': 'comment' }, s.statements.comment)] as const] : []),
          ])),
        s.purpose === 'consult' || s.statements?.consent ? consentSection(ctx, s, load) : null,
        studiesSection(s),
        filesSection(s));
      if (focused) body.querySelector<HTMLElement>(`[data-focus="${focused}"]`)?.focus();
    } catch (error) {
      replaceChildren(body, errorNotice(error));
    }
  }

  /** Progress only, from the list answer (reading the detail is an audited access: NEN 7513 "gegevens lezen"). */
  async function refreshProgress(): Promise<void> {
    if (!linkId || !progressSlot) return load();
    try {
      const found = listOf(await ctx.api.get(`/api/receiver/shipments?linkId=${encodeURIComponent(linkId)}`), 'shipments', toShipment).find((s) => s.id === id);
      if (found && found.state === lastState) replaceChildren(progressSlot, shipmentProgress(found));
      else await load();
    } catch {
      // the next change or the next full load shows it
    }
  }

  void load();
  const reload = coalescer(300);
  return {
    element,
    onChange(change) {
      if (change.shipmentId !== id) return;
      // A state change (or every few seconds) reloads the whole report; in between, a change per reported file
      // only moves the progress, so watching a 3000-file import is not 3000 audited reads.
      const full = change.state !== lastState || Date.now() - lastFull > 5_000;
      reload.schedule(() => void (full ? load() : refreshProgress()));
    },
    dispose: () => reload.cancel(),
  };
}
