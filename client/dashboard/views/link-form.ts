/**
 * The new-link form: purpose (the three situations of the NVvR advice, each explained in one line), sender
 * institution and contact, note, expiry and limits. On success it shows the result (link-result.ts).
 */
import { errorNotice } from '../components.ts';
import { field, h, replaceChildren } from '../dom.ts';
import { t } from '../i18n.ts';
import type { Purpose } from '../model.ts';
import type { View, ViewContext } from '../view.ts';
import { linkResult, type IssuedLink } from './link-result.ts';

const GB = 1_000_000_000;
// In the advice's order (situations A, B, C). No default: the purpose decides whether consent is checked before
// import, so it must be a conscious choice, never an unnoticed preselection.
const PURPOSES: readonly Purpose[] = ['internal', 'consult', 'transfer'];

function purposeChoice(purpose: Purpose): HTMLElement {
  const id = `purpose-${purpose}`;
  return h('div', { class: 'choice' },
    h('input', { type: 'radio', name: 'purpose', id, value: purpose, required: true, 'aria-describedby': `${id}-help` }),
    h('label', { for: id }, t(`purpose.${purpose}`)),
    h('p', { id: `${id}-help`, class: 'help' }, t(`purpose.${purpose}.help`)));
}

function numberInput(id: string, name: string, label: string, value: number, min: number, max?: number, step = '1'): HTMLElement[] {
  return [h('label', { for: id }, label), h('input', { id, name, type: 'number', inputmode: step === '1' ? 'numeric' : 'decimal', min, max, step, value, required: true })];
}

export function linkFormView(ctx: ViewContext): View {
  // The portal's own limits (BEELDPOORT_LINK_MAX_DAYS, BEELDPOORT_LINK_MAX_BYTES) bound the form when it states them.
  const maxDays = ctx.me.policy.linkMaxDays ?? 3650;
  const maxGb = Math.floor((ctx.me.policy.linkMaxBytes ?? 20 * GB) / GB * 1000) / 1000;
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card link-form', novalidate: false },
    h('fieldset', {}, h('legend', {}, t('newLink.purpose')), PURPOSES.map((p) => purposeChoice(p))),
    h('label', { for: 'link-sender' }, t('newLink.sender')),
    h('input', { id: 'link-sender', name: 'sender', type: 'text', required: true, maxlength: 200, autocomplete: 'organization' }),
    h('label', { for: 'link-contact' }, t('newLink.contact')),
    h('input', { id: 'link-contact', name: 'contact', type: 'text', maxlength: 200 }),
    h('label', { for: 'link-note' }, t('newLink.note')),
    h('textarea', { id: 'link-note', name: 'note', rows: 3, maxlength: 1000 }),
    h('div', { class: 'row' },
      h('div', {}, numberInput('link-expires', 'expires', t('newLink.expires'), Math.min(7, maxDays), 1, maxDays)),
      h('div', {}, numberInput('link-max-shipments', 'maxShipments', t('newLink.maxShipments'), 10, 1, 10000)),
      h('div', {}, numberInput('link-max-gb', 'maxGb', t('newLink.maxGb'), Math.min(20, maxGb), 0.001, maxGb, 'any'))),
    h('button', { type: 'submit', class: 'primary' }, t('newLink.submit')));
  const element = h('main', { id: 'main', tabindex: -1 }, h('h1', {}, t('newLink.title')), status, form);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
    button.disabled = true;
    const request = {
      purpose: field(form, 'purpose'),
      senderName: field(form, 'sender'),
      senderContact: field(form, 'contact') || null,
      note: field(form, 'note') || null,
      expires: `${Math.round(Number(field(form, 'expires')))}d`,
      maxShipments: Math.round(Number(field(form, 'maxShipments'))),
      maxBytes: Math.min(Math.round(Number(field(form, 'maxGb')) * GB), ctx.me.policy.linkMaxBytes ?? Number.MAX_SAFE_INTEGER),
    };
    ctx.api.post<IssuedLink>('/api/receiver/links', request)
      .then((issued) => {
        replaceChildren(element, h('h1', {}, t('newLink.created')),
          linkResult(ctx, issued, { purpose: request.purpose as Purpose, senderName: request.senderName, senderContact: request.senderContact }),
          h('p', {}, h('a', { href: '#/links/new', class: 'button' }, t('newLink.another'))));
        element.focus();
        ctx.announce(t('newLink.created'));
      })
      .catch((error: unknown) => {
        replaceChildren(status, errorNotice(error));
        button.disabled = false;
      });
  });
  return { element };
}
