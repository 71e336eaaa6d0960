/** All shipments, live: every server-sent change reloads the list (coalesced) and announces state changes. */
import { errorNotice, purposeLabel, shipmentProgress, stateBadge, table } from '../components.ts';
import { h, replaceChildren } from '../dom.ts';
import { coalescer } from '../live.ts';
import { dateTime } from '../format.ts';
import { t, type MessageKey } from '../i18n.ts';
import { listOf, toLink, toShipment, type ShipmentView } from '../model.ts';
import type { View, ViewContext } from '../view.ts';

/** Shipments with the sender's name filled in from their link when the shipment answer lacks it. */
export async function loadShipments(ctx: ViewContext): Promise<ShipmentView[]> {
  const [shipmentsBody, linksBody] = await Promise.all([ctx.api.get('/api/receiver/shipments'), ctx.api.get('/api/receiver/links')]);
  const senders = new Map(listOf(linksBody, 'links', (raw) => toLink(raw)).map((link) => [link.id, link.senderName]));
  return listOf(shipmentsBody, 'shipments', toShipment).map((s) => (s.senderName ? s : { ...s, senderName: senders.get(s.linkId) ?? '' }));
}

export function stateText(state: string): string {
  return state in { uploading: 1, received: 1, held: 1, importing: 1, imported: 1, 'imported-with-failures': 1, failed: 1 }
    ? t(`state.${state}` as MessageKey) : state;
}

export function shipmentsView(ctx: ViewContext): View {
  const body = h('div', {}, h('p', {}, t('loading')));
  const element = h('main', { id: 'main', tabindex: -1 }, h('h1', {}, t('shipments.title')), body);
  const known = new Map<string, string>();

  function row(s: ShipmentView): HTMLTableRowElement {
    return h('tr', { 'data-shipment-id': s.id, 'data-state': s.state },
      h('td', {}, dateTime(s.createdAt)),
      h('th', { scope: 'row' }, s.senderName),
      h('td', {}, purposeLabel(s.purpose, s.urgent)),
      h('td', {}, stateBadge(s.state)),
      h('td', {}, shipmentProgress(s)),
      h('td', {}, h('a', { href: `#/shipments/${encodeURIComponent(s.id)}`, 'aria-label': t('shipments.openLabel', { sender: s.senderName }) }, t('shipments.open'))));
  }

  async function load(): Promise<void> {
    try {
      const shipments = await loadShipments(ctx);
      for (const s of shipments) {
        const before = known.get(s.id);
        if (before !== undefined && before !== s.state) ctx.announce(t('announce.state', { sender: s.senderName, state: stateText(s.state) }));
        known.set(s.id, s.state);
      }
      replaceChildren(body, shipments.length === 0 ? h('p', {}, t('shipments.empty'))
        : table(t('shipments.title'), [t('shipments.created'), t('shipments.sender'), t('shipments.purpose'), t('shipments.state'),
          t('shipments.progress'), ''], shipments.map(row), { captionHidden: true }));
    } catch (error) {
      replaceChildren(body, errorNotice(error));
    }
  }

  void load();
  const reload = coalescer(300);
  return {
    element,
    // Upload progress emits a change per chunk: coalesce so the table redraws at most a few times a second.
    onChange: () => reload.schedule(() => void load()),
    dispose: () => reload.cancel(),
  };
}
