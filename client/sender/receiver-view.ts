/**
 * Who receives the data (issue 7 item 1): institution and department first and largest, then the issuing
 * radiologist, purpose, expiry, the verification code to confirm by phone and the key fingerprint. Every value
 * comes from the portal and is inserted as text.
 */
import type { LinkInfo } from '../../shared/send/index.ts';
import { h, replace } from '../shared-ui/dom.ts';
import { formatBytes, formatDateTime } from '../shared-ui/format.ts';
import type { MessageKey, SenderI18n } from './messages.ts';

const PURPOSE_KEYS: Record<string, MessageKey> = {
  transfer: 'purposeTransfer',
  consult: 'purposeConsult',
  internal: 'purposeInternal',
};

export function renderReceiver(container: HTMLElement, link: LinkInfo, i18n: SenderI18n): void {
  const t = i18n.t;
  const locale = i18n.locale();
  const purposeKey = PURPOSE_KEYS[link.purpose];
  const issuedBy = [link.issuedBy.name, link.issuedBy.email ? `(${link.issuedBy.email})` : ''].filter(Boolean).join(' ');
  const shipmentsLeft = Math.max(0, link.limits.maxShipments - link.limits.usedShipments);
  const bytesLeft = Math.max(0, link.limits.maxBytes - link.limits.usedBytes);
  replace(
    container,
    h('p', { class: 'institution', attrs: { 'data-testid': 'institution' } }, link.institution.name),
    h('p', { class: 'department' }, link.institution.department),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, t('requestedBy')),
      h('dd', null, issuedBy || '–'),
      h('dt', null, t('issuedTo')),
      h('dd', null, [link.sender.name, link.sender.contact ? `(${link.sender.contact})` : ''].filter(Boolean).join(' ') || '–'),
      h('dt', null, t('purpose')),
      h('dd', { attrs: { 'data-testid': 'purpose' } }, purposeKey ? t(purposeKey) : link.purpose, link.urgent ? h('span', { class: 'badge urgent' }, t('urgent')) : null),
      h('dt', null, t('expires')),
      h('dd', null, formatDateTime(link.expiresAt, locale)),
    ),
    h(
      'div',
      { class: 'code-box' },
      h('div', null, h('div', { class: 'help' }, t('verificationCode')), h('div', { class: 'code', attrs: { 'data-testid': 'verification-code' } }, link.verificationCode)),
      h('p', { class: 'code-help' }, t('verificationHelp')),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, t('fingerprint')),
      h('dd', { class: 'fingerprint', attrs: { 'data-testid': 'fingerprint' } }, link.keyFingerprint),
    ),
    h('p', { class: 'help' }, t('fingerprintHelp')),
    link.note ? h('div', null, h('p', { class: 'help' }, t('senderNote')), h('p', { class: 'note' }, link.note)) : null,
    h('p', { class: 'help' }, t('limits', { shipments: shipmentsLeft, bytes: formatBytes(bytesLeft, locale) })),
  );
}
