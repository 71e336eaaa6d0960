/**
 * What a radiologist hands to the sender after creating a link: the URL (copy button), a QR code drawn on a
 * canvas (no data: URL, no inline script: the CSP stays strict), a mailto: draft and the verification code to
 * read out by phone (the advice's check that the sender reaches the right receiver).
 */
import QRCode from 'qrcode';
import { errorText } from '../components.ts';
import { h } from '../dom.ts';
import { dateTime } from '../format.ts';
import { t } from '../i18n.ts';
import { time, type Purpose } from '../model.ts';
import type { ViewContext } from '../view.ts';

export interface IssuedLink { id: string; url: string; code: string; expiresAt: string }

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export function mailtoHref(ctx: ViewContext, issued: IssuedLink, senderContact: string | null, institution: string): string {
  const to = senderContact && EMAIL.test(senderContact) ? encodeURIComponent(senderContact) : '';
  const subject = t('newLink.mailSubject', { institution });
  const body = t('newLink.mailBody', { url: issued.url, code: issued.code, expires: dateTime(time(issued.expiresAt)), name: ctx.me.name });
  // RFC 6068: hfields percent-encoded; line breaks in the body as %0D%0A.
  return `mailto:${to}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body.replace(/\n/g, '\r\n'))}`;
}

/** Sending the link from the portal itself (only offered when the portal has SMTP configured). */
function mailForm(ctx: ViewContext, issued: IssuedLink, senderContact: string | null): HTMLElement {
  const id = `link-mail-${issued.id}`;
  const status = h('p', { role: 'status', class: 'help' });
  const input = h('input', { id, name: 'to', type: 'email', required: true, autocomplete: 'email', value: senderContact && EMAIL.test(senderContact) ? senderContact : '' });
  const form = h('form', { class: 'mail-link', 'data-testid': 'link-mail' },
    h('label', { for: id }, t('newLink.emailTo')), h('div', { class: 'row' }, input, h('button', { type: 'submit' }, t('newLink.emailSend'))), status);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const button = form.querySelector('button')!;
    button.disabled = true;
    ctx.api.post<{ to: string }>(`/api/receiver/links/${encodeURIComponent(issued.id)}/email`, { to: input.value.trim() })
      .then((answer) => (status.textContent = t('newLink.emailSent', { to: answer.to })))
      .catch((error: unknown) => (status.textContent = errorText(error)))
      .finally(() => (button.disabled = false));
  });
  return form;
}

export function linkResult(ctx: ViewContext, issued: IssuedLink, link: { purpose: Purpose; senderName: string; senderContact: string | null }): HTMLElement {
  const copied = h('p', { class: 'notice', role: 'status' });
  copied.hidden = true;
  const urlId = `link-url-${issued.id}`;
  const titleId = `link-result-title-${issued.id}`;
  const urlField = h('input', { id: urlId, type: 'text', readonly: true, value: issued.url, class: 'url', 'data-testid': 'link-url' });
  urlField.addEventListener('focus', () => urlField.select());
  const copy = h('button', { type: 'button', class: 'primary' }, t('newLink.copy'));
  copy.addEventListener('click', () => {
    navigator.clipboard.writeText(issued.url)
      .then(() => (copied.textContent = t('newLink.copied')))
      .catch(() => {
        urlField.select();
        copied.textContent = t('newLink.copyFailed');
      })
      .finally(() => (copied.hidden = false));
  });

  const canvas = h('canvas', { role: 'img', 'aria-label': t('newLink.qr'), class: 'qr', 'data-testid': 'link-qr' });
  // Error correction M (15 %): the JWT makes a long URL; M keeps the code scannable from a phone screen.
  QRCode.toCanvas(canvas, issued.url, { errorCorrectionLevel: 'M', margin: 2, width: 240 }).catch(() => canvas.remove());

  return h('section', { class: 'card link-result', 'data-link-id': issued.id, 'aria-labelledby': titleId },
    h('h2', { id: titleId }, link.senderName, ' — ', t(`purpose.${link.purpose}`)),
    h('label', { for: urlId }, t('newLink.url')),
    h('div', { class: 'row' }, urlField, copy),
    copied,
    h('div', { class: 'row result-extras' },
      h('figure', {}, canvas, h('figcaption', {}, t('newLink.qr'))),
      h('div', {},
        h('p', { class: 'code-label' }, t('newLink.code')),
        h('p', { class: 'code', 'data-testid': 'link-code' }, issued.code),
        h('p', { class: 'help' }, t('newLink.codeHelp')),
        h('p', {}, h('a', { class: 'button', href: mailtoHref(ctx, issued, link.senderContact, ctx.me.institution) }, t('newLink.mailto'))),
        ctx.me.mail ? mailForm(ctx, issued, link.senderContact) : null,
        h('p', { class: 'help' }, t('links.expires'), ': ', dateTime(time(issued.expiresAt))))));
}
