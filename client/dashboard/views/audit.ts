/** The audit trail (NEN 7513): filter by link, shipment, user and date; export CSV; the hash chain's status. */
import { ApiError } from '../api.ts';
import { errorNotice, table } from '../components.ts';
import { field, h, replaceChildren } from '../dom.ts';
import { t } from '../i18n.ts';
import type { View, ViewContext } from '../view.ts';

interface AuditEntry {
  seq: number; at: string; actorKind: string; actorId: string | null; actorName?: string | null; action: string;
  objectType: string | null; objectId: string | null; ip: string | null; details: Record<string, unknown> | null;
}
type Chain = { ok: boolean; count: number; seq?: number } | undefined;

const FILTERS = [['linkId', 'audit.link', 'text'], ['shipmentId', 'audit.shipment', 'text'], ['user', 'audit.user', 'text'],
  ['from', 'audit.from', 'date'], ['to', 'audit.to', 'date']] as const;

function query(form: HTMLFormElement): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name] of FILTERS) {
    const value = field(form, name);
    if (value) params.set(name, value);
  }
  return params;
}

function chainNotice(chain: Chain): HTMLElement {
  if (!chain) return h('p', { class: 'notice', 'data-chain': 'unknown' }, t('audit.chainUnknown'));
  return chain.ok
    ? h('p', { class: 'notice ok', 'data-chain': 'ok' }, t('audit.chainOk', { count: chain.count }))
    : h('p', { class: 'notice error', role: 'alert', 'data-chain': 'broken' }, t('audit.chainBroken', { seq: chain.seq ?? '?' }));
}

function row(entry: AuditEntry): HTMLTableRowElement {
  const details = entry.details && Object.keys(entry.details).length > 0 ? JSON.stringify(entry.details) : '';
  return h('tr', { 'data-seq': entry.seq, 'data-action': entry.action },
    h('td', { class: 'number' }, entry.seq),
    h('td', { class: 'mono' }, entry.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')),
    h('td', {}, entry.actorKind, entry.actorId || entry.actorName ? `: ${entry.actorName || entry.actorId}` : ''),
    h('td', {}, entry.action),
    h('td', { class: 'mono' }, entry.objectType ? `${entry.objectType} ${entry.objectId ?? ''}` : ''),
    h('td', { class: 'mono' }, entry.ip ?? ''),
    h('td', { class: 'mono details' }, details));
}

export function auditView(ctx: ViewContext): View {
  const form = h('form', { class: 'card filters', role: 'search' },
    h('fieldset', {}, h('legend', {}, t('audit.filters')),
      h('div', { class: 'row' }, FILTERS.map(([name, label, type]) => h('div', {},
        h('label', { for: `audit-${name}` }, t(label)), h('input', { id: `audit-${name}`, name, type }))))),
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, t('audit.apply')),
      h('a', { class: 'button', href: '/api/receiver/audit?format=csv', download: 'audit.csv', 'data-testid': 'audit-export' }, t('audit.export'))));
  const chain = h('div', { 'aria-live': 'polite' });
  const body = h('div', {}, h('p', {}, t('loading')));
  const element = h('main', { id: 'main', tabindex: -1 }, h('h1', {}, t('audit.title')), chain, form, body);

  let loads = 0;
  async function load(): Promise<void> {
    const params = query(form);
    const exportParams = new URLSearchParams(params);
    exportParams.set('format', 'csv');
    form.querySelector<HTMLAnchorElement>('a[data-testid=audit-export]')!.href = `/api/receiver/audit?${exportParams}`;
    try {
      const answer = await ctx.api.get<{ entries?: AuditEntry[]; records?: AuditEntry[]; chain?: Chain }>(`/api/receiver/audit?${params}`);
      const entries = answer.entries ?? answer.records ?? [];
      replaceChildren(chain, chainNotice(answer.chain));
      replaceChildren(body, entries.length === 0 ? h('p', { 'data-testid': 'audit-empty' }, t('audit.empty'))
        : table(t('audit.title'), ['#', t('audit.at'), t('audit.actor'), t('audit.action'), t('audit.object'), t('audit.ip'), t('audit.details')],
          entries.map(row), { captionHidden: true }));
    } catch (error) {
      replaceChildren(body, error instanceof ApiError && error.code === 'E_FORBIDDEN' ? h('p', { class: 'notice warning', 'data-testid': 'audit-forbidden' }, t('audit.forbidden')) : errorNotice(error));
    }
    element.dataset.loads = String(++loads); // lets a test (or an observer) know the filtered answer is shown
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  void load();
  return { element };
}
