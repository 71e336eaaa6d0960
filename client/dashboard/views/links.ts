/** The links list: status (active, expired, revoked, exhausted), the shipments of each link, one-click revoke. */
import { errorNotice, linkStatusBadge, purposeLabel, stateBadge, table } from '../components.ts';
import { h, replaceChildren } from '../dom.ts';
import { coalescer } from '../live.ts';
import { bytes, dateTime } from '../format.ts';
import { t } from '../i18n.ts';
import { listOf, toLink, toShipment, type LinkView, type ShipmentView } from '../model.ts';
import type { View, ViewContext } from '../view.ts';
import { linkResult } from './link-result.ts';

function shipmentsCell(link: LinkView, shipments: ShipmentView[], open: Set<string>): HTMLElement {
  const summary = `${link.usedShipments || shipments.length} / ${link.maxShipments} · ${bytes(link.usedBytes)}`;
  if (shipments.length === 0) return h('td', {}, summary);
  const details = h('details', { open: open.has(link.id) },
    h('summary', {}, summary),
    h('ul', { class: 'plain', 'aria-label': t('links.shipments') }, shipments.map((s) => h('li', {},
      h('a', { href: `#/shipments/${encodeURIComponent(s.id)}` }, dateTime(s.createdAt)), ' ', stateBadge(s.state)))));
  // Live reloads rebuild the table: remember which links the user opened.
  details.addEventListener('toggle', () => (details.open ? open.add(link.id) : open.delete(link.id)));
  return h('td', {}, details);
}

export function linksView(ctx: ViewContext): View {
  const open = new Set<string>();
  const status = h('div', { 'aria-live': 'polite' });
  const body = h('div', {}, h('p', {}, t('loading')));
  const element = h('main', { id: 'main', tabindex: -1 },
    h('div', { class: 'title-row' }, h('h1', {}, t('links.title')), h('a', { href: '#/links/new', class: 'button primary' }, t('nav.newLink'))),
    status, body);

  function row(link: LinkView, shipments: ShipmentView[]): HTMLTableRowElement {
    const actions = h('td', {});
    if (link.status === 'active') {
      const revoke = h('button', { type: 'button', class: 'danger', 'data-action': 'revoke', 'aria-label': t('links.revokeLabel', { sender: link.senderName }) }, t('links.revoke'));
      revoke.addEventListener('click', () => {
        revoke.disabled = true;
        ctx.api.post(`/api/receiver/links/${encodeURIComponent(link.id)}/revoke`)
          .then(() => {
            replaceChildren(status, h('p', { class: 'notice', role: 'status' }, t('links.revoked', { sender: link.senderName })));
            return load();
          })
          .catch((error: unknown) => {
            replaceChildren(status, errorNotice(error));
            revoke.disabled = false;
          });
      });
      actions.append(revoke);
    }
    if (link.url) {
      // Rendered on first opening only: the QR code is drawn for the links someone wants to hand out again.
      const key = `show:${link.id}`;
      const details = h('details', { class: 'show-link' }, h('summary', {}, t('links.show')));
      details.addEventListener('toggle', () => {
        if (details.open) open.add(key);
        else open.delete(key);
        if (details.open && details.childElementCount === 1) {
          details.append(linkResult(ctx, { id: link.id, url: link.url!, code: link.code, expiresAt: link.expiresAt?.toISOString() ?? '' }, link));
        }
      });
      details.open = open.has(key);
      actions.append(details);
    }
    return h('tr', { 'data-link-id': link.id, 'data-status': link.status },
      h('td', {}, dateTime(link.createdAt)),
      h('td', {}, purposeLabel(link.purpose, link.urgent)),
      h('th', { scope: 'row' }, h('span', { class: 'sender' }, link.senderName), link.senderContact ? h('span', { class: 'sub' }, link.senderContact) : null,
        link.note ? h('span', { class: 'sub note' }, link.note) : null),
      h('td', { class: 'mono nowrap' }, link.code),
      h('td', {}, dateTime(link.expiresAt)),
      h('td', {}, linkStatusBadge(link.status)),
      shipmentsCell(link, shipments, open),
      actions);
  }

  async function load(): Promise<void> {
    try {
      const [linksBody, shipmentsBody] = await Promise.all([ctx.api.get('/api/receiver/links'), ctx.api.get('/api/receiver/shipments')]);
      const links = listOf(linksBody, 'links', (raw) => toLink(raw));
      const shipments = listOf(shipmentsBody, 'shipments', toShipment);
      if (links.length === 0) {
        replaceChildren(body, h('p', {}, t('links.empty')));
        return;
      }
      replaceChildren(body, table(t('links.title'),
        [t('links.created'), t('links.purpose'), t('links.sender'), t('links.code'), t('links.expires'), t('links.status'), t('links.usage'), t('links.actions')],
        links.map((link) => row(link, shipments.filter((s) => s.linkId === link.id))), { captionHidden: true }));
    } catch (error) {
      replaceChildren(body, errorNotice(error));
    }
  }

  void load();
  const reload = coalescer(500);
  return {
    element,
    // Shipment changes alter the per-link usage and states; coalesce bursts (every tus chunk can emit one).
    onChange: () => reload.schedule(() => void load()),
    dispose: () => reload.cancel(),
  };
}
