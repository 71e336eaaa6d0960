import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPortal } from '../../../test/helpers/portal.ts';
import { sendLinkMail } from './link-mail.ts';
import { startSmtpSink } from './smtp-sink.test-helper.ts';

const actor = { kind: 'user' as const, id: '1', name: 'Dr. A. de Vries', email: 'devries@hospital.example' };

test('an active link is mailed as plain text with its URL and code, and the sending is audited', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const portal = await startTestPortal({ env: { BEELDPOORT_SMTP_URL: `smtp://127.0.0.1:${sink.port}` } });
  t.after(() => portal.stop());
  const link = await portal.createLink({ purpose: 'consult', sender: 'UMC Noord' });

  assert.deepEqual(await sendLinkMail(portal.portal.ctx, portal.config.notify, link.id, ' pacs@umcnoord.example ', actor, '127.0.0.1'), { to: 'pacs@umcnoord.example' });
  assert.equal(sink.messages.length, 1);
  const mail = sink.messages[0]!;
  assert.deepEqual(mail.to, ['<pacs@umcnoord.example>']);
  assert.match(mail.data, /^Reply-To: devries@hospital\.example/m);
  assert.match(mail.data, /Content-Type: text\/plain/);
  const body = mail.data.replace(/=\r\n/g, ''); // quoted-printable soft breaks
  assert.ok(body.includes(`${portal.url}/s/#`), 'the upload URL');
  assert.ok(body.includes(link.code), 'the verification code');
  assert.ok(portal.portal.ctx.stores.audit.list({ objectId: link.id }).some((r) => r.action === 'link.mailed'));
});

test('a revoked link, a bad address or a portal without SMTP is refused with a code', async (t) => {
  const portal = await startTestPortal({ env: { BEELDPOORT_SMTP_URL: 'smtp://127.0.0.1:9' } });
  t.after(() => portal.stop());
  const link = await portal.createLink();
  const ctx = portal.portal.ctx;
  await assert.rejects(sendLinkMail(ctx, portal.config.notify, link.id, 'not an address', actor, null), { code: 'E_BAD_REQUEST' });
  await assert.rejects(sendLinkMail(ctx, { ...portal.config.notify, smtpUrl: undefined }, link.id, 'a@b.example', actor, null), { code: 'E_BAD_REQUEST' });
  portal.revokeLink(link.id);
  await assert.rejects(sendLinkMail(ctx, portal.config.notify, link.id, 'a@b.example', actor, null), { code: 'E_STATE_CONFLICT' });
  await assert.rejects(sendLinkMail(ctx, portal.config.notify, 'nope', 'a@b.example', actor, null), { code: 'E_NOT_FOUND' });
});
