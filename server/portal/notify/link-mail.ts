/**
 * Sends an upload link to the sender by e-mail (when SMTP is configured): plain text, Dutch then English, with
 * the URL, the expiry and the verification code. The code is in the mail for reference only: the advice's
 * check is that the radiologist READS IT OUT by phone, so the mail says so. Audit-logged (`link.mailed`).
 */
import nodemailer from 'nodemailer';
import type { NotifySettings } from '../../config.ts';
import type { Actor, PortalContext } from '../context.ts';
import { PortalError } from '../errors.ts';
import { linkUrl, tokenFor } from '../links/links.ts';

const ADDRESS = /^[^\s@<>,"]{1,64}@[^\s@<>,"]{1,190}$/;
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim(); // eslint-disable-line no-control-regex

export function mailEnabled(settings: NotifySettings): boolean {
  return settings.smtpUrl !== undefined;
}

export async function sendLinkMail(ctx: PortalContext, settings: NotifySettings, linkId: string, to: unknown, actor: Actor, ip: string | null): Promise<{ to: string }> {
  if (!settings.smtpUrl) throw new PortalError('E_BAD_REQUEST', 'e-mail is not configured on this portal (BEELDPOORT_SMTP_URL)');
  if (typeof to !== 'string' || !ADDRESS.test(to.trim())) throw new PortalError('E_BAD_REQUEST', 'to must be one e-mail address');
  const link = ctx.stores.links.get(linkId);
  if (!link) throw new PortalError('E_NOT_FOUND', `no link ${linkId}`);
  const now = ctx.now();
  if (link.revokedAt !== null || link.expiresAt <= now) throw new PortalError('E_STATE_CONFLICT', 'only an active link can be sent');
  const url = linkUrl(ctx, await tokenFor(ctx, link));
  const institution = oneLine(`${ctx.config.institution.name}, ${ctx.config.institution.department}`);
  const expires = new Date(link.expiresAt).toISOString().replace('T', ' ').slice(0, 16);
  const from = oneLine(actor.name ?? actor.email ?? '');
  const text = [
    `Beste collega,`, '',
    `${from || institution} vraagt u beelden te sturen naar ${institution}. Gebruik deze link (geldig tot ${expires} UTC):`, '',
    url, '',
    `De uploadpagina toont de verificatiecode ${link.code}. Die wordt u ook telefonisch voorgelezen: uploadt u alleen als de codes gelijk zijn.`,
    '', '---', '',
    `Dear colleague,`, '',
    `${from || institution} asks you to send images to ${institution}. Use this link (valid until ${expires} UTC):`, '',
    url, '',
    `The upload page shows the verification code ${link.code}; it will also be read out to you by phone: upload only if the codes match.`,
  ].join('\n');
  const transport = nodemailer.createTransport(settings.smtpUrl);
  try {
    await transport.sendMail({
      from: settings.mailFrom, to: to.trim(), ...(actor.email ? { replyTo: actor.email } : {}),
      subject: `Uploadlink voor beelden / upload link for images — ${institution}`, text,
    });
  } finally {
    transport.close();
  }
  ctx.stores.audit.append({ actor, action: 'link.mailed', object: { type: 'link', id: linkId }, ip, details: { to: to.trim() } }, now);
  return { to: to.trim() };
}
