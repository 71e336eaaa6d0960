import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { openStores } from '../db/stores.ts';
import { makeTempDir } from '../../../test/helpers/tmp.ts';
import { loadConfig, ConfigError, type NotifySettings } from '../../config.ts';
import { startNotifier } from './notifier.ts';
import { mailFor, buildNotification } from './notification.ts';
import { startSmtpSink } from './smtp-sink.test-helper.ts';

async function startWebhookReceiver(t: { after(fn: () => unknown): void }, status = 200) {
  const received: { headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

function setUp(t: { after(fn: () => unknown): void }) {
  const tmp = makeTempDir('beeldpoort-notify-');
  const stores = openStores(tmp.dir);
  t.after(() => {
    stores.close();
    tmp.remove();
  });
  const changes = new EventEmitter();
  let now = Date.parse('2026-11-29T12:00:00Z');
  const ctx = { stores, changes, log: pino({ level: 'silent' }), now: () => now };
  const addShipment = (id: string, purpose: 'transfer' | 'consult' | 'internal', senderName: string, files = 2) => {
    stores.links.insert({ id: `link-${id}`, purpose, senderName, senderContact: null, note: null, code: 'ABC234',
      issuedBy: { kind: 'cli', id: null, name: null, email: null }, createdAt: now, expiresAt: now + 86_400_000, maxShipments: 5, maxBytes: 1e9,
      revokedAt: null, revokedBy: null });
    stores.shipments.insert({ id, linkId: `link-${id}`, purpose, urgent: purpose === 'transfer', state: 'uploading', envelope: '{}', fileCount: files,
      totalBytes: files * 100, createdAt: now, updatedAt: now }, Array.from({ length: files }, (_, i) => ({ fileId: `f${i}`, size: 100 })));
  };
  return { ctx, stores, changes, addShipment, tick: () => (now += 1000) };
}

const settings = (over: Partial<NotifySettings>): NotifySettings => ({ smtpUrl: undefined, mailFrom: 'beeldpoort@localhost', mailTo: [], webhookUrl: undefined, ...over });

test('the webhook is called on "received" and on "imported", never for an incomplete upload, and marks transfers urgent', async (t) => {
  const hook = await startWebhookReceiver(t);
  const { ctx, stores, changes, addShipment, tick } = setUp(t);
  const notifier = startNotifier(ctx, settings({ webhookUrl: hook.url }), 'http://localhost:8080/');
  t.after(() => notifier.close());
  addShipment('s1', 'transfer', 'Ziekenhuis Oost');

  stores.shipments.completeFile('s1', 'f0', tick()); // first file: no notification ("never on the first byte")
  changes.emit('shipment', { shipmentId: 's1', state: 'uploading' });
  await notifier.idle();
  assert.equal(hook.received.length, 0);

  stores.shipments.completeFile('s1', 'f1', tick());
  stores.shipments.update('s1', { state: 'received' }, tick());
  changes.emit('shipment', { shipmentId: 's1', state: 'received' });
  changes.emit('shipment', { shipmentId: 's1', state: 'received' }); // duplicates are delivered once
  await notifier.idle();
  assert.equal(hook.received.length, 1);
  assert.equal(hook.received[0]!.body.event, 'shipment.received');
  assert.equal(hook.received[0]!.body.urgent, true);
  assert.equal(hook.received[0]!.headers['x-beeldpoort-event'], 'shipment.received');
  assert.equal(hook.received[0]!.body.url, 'http://localhost:8080/#/shipments/s1');

  stores.shipments.reportFile('s1', { fileId: 'f0', outcome: 'stored' }, tick());
  stores.shipments.reportFile('s1', { fileId: 'f1', outcome: 'rejected', code: 'E_PACS_REJECTED', dimseStatus: 0xa900 }, tick());
  stores.shipments.update('s1', { state: 'imported-with-failures', finishedAt: tick() }, tick());
  changes.emit('shipment', { shipmentId: 's1', state: 'imported-with-failures' });
  await notifier.idle();
  assert.equal(hook.received.length, 2);
  assert.deepEqual(hook.received[1]!.body.outcomes, { stored: 1, warning: 0, failed: 1 });
  assert.equal(hook.received[1]!.body.event, 'shipment.imported');
  const audited = stores.audit.list({ objectId: 's1' }).filter((r) => r.action === 'notification.sent').map((r) => r.details?.event);
  assert.deepEqual(audited.sort(), ['shipment.imported', 'shipment.received']);
});

test('a consultation held for consent gets its own notice, so someone verifies it', async (t) => {
  const hook = await startWebhookReceiver(t);
  const { ctx, stores, changes, addShipment, tick } = setUp(t);
  const notifier = startNotifier(ctx, settings({ webhookUrl: hook.url }), 'http://localhost:8080/app/');
  t.after(() => notifier.close());
  addShipment('c1', 'consult', 'UMC Noord', 1);
  stores.shipments.completeFile('c1', 'f0', tick());
  stores.shipments.update('c1', { state: 'held', statements: { consent: { recordedBy: 'x', date: 'y', reference: 'z' } } }, tick());
  changes.emit('shipment', { shipmentId: 'c1', state: 'held' });
  await notifier.idle();
  assert.deepEqual(hook.received.map((n) => n.body.event), ['shipment.received', 'shipment.held']);
  assert.equal(hook.received[1]!.body.urgent, false);
  const { subject, text } = mailFor(hook.received[1]!.body as unknown as Parameters<typeof mailFor>[0]);
  assert.match(subject, /toestemming controleren \/ consent to verify/);
  assert.match(text, /only after you have verified/);
});

test('a notification missed while the portal was down is sent at start-up, once', async (t) => {
  const hook = await startWebhookReceiver(t);
  const { ctx, stores, addShipment, tick } = setUp(t);
  addShipment('s2', 'internal', 'Afdeling Cardiologie', 1);
  stores.shipments.completeFile('s2', 'f0', tick());
  stores.shipments.update('s2', { state: 'received' }, tick());
  const first = startNotifier(ctx, settings({ webhookUrl: hook.url }), 'http://localhost:8080/');
  await first.close();
  const second = startNotifier(ctx, settings({ webhookUrl: hook.url }), 'http://localhost:8080/');
  await second.close();
  assert.equal(hook.received.length, 1);
  assert.equal(hook.received[0]!.body.urgent, false);
});

test('a webhook that keeps failing is audited as notification.failed and not retried endlessly', async (t) => {
  const hook = await startWebhookReceiver(t, 400);
  const { ctx, stores, changes, addShipment, tick } = setUp(t);
  addShipment('s3', 'internal', 'X', 1);
  stores.shipments.completeFile('s3', 'f0', tick());
  const notifier = startNotifier(ctx, settings({ webhookUrl: hook.url }), 'http://localhost:8080/');
  await notifier.idle();
  assert.equal(hook.received.length, 1, 'a 400 is final, not retried within the delivery');
  assert.ok(stores.audit.list({ objectId: 's3' }).some((r) => r.action === 'notification.failed' && r.details?.channel === 'webhook'));
  for (let i = 0; i < 5; i++) changes.emit('shipment', { shipmentId: 's3', state: 'received' });
  await notifier.close();
  assert.equal(hook.received.length, 3, 'later changes try again, at most three times in all');
});

test('e-mail goes through SMTP as plain text, high priority for transfers, with the sender name on one line', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const { ctx, stores, changes, addShipment, tick } = setUp(t);
  const notifier = startNotifier(ctx, settings({ smtpUrl: `smtp://127.0.0.1:${sink.port}`, mailTo: ['radiologie@example.org'] }), 'http://localhost:8080/');
  t.after(() => notifier.close());
  addShipment('s4', 'transfer', 'Evil\r\nBcc: victim@example.org <script>', 1);
  stores.shipments.completeFile('s4', 'f0', tick());
  changes.emit('shipment', { shipmentId: 's4', state: 'received' });
  await notifier.idle();
  assert.equal(sink.messages.length, 1);
  const mail = sink.messages[0]!;
  assert.deepEqual(mail.to, ['<radiologie@example.org>']);
  assert.match(mail.data, /^X-Priority: 1/m);
  assert.match(mail.data, /^Subject: .*SPOED/m);
  assert.doesNotMatch(mail.data, /^Bcc:/im, 'no header injected through the institution name');
  assert.match(mail.data, /Content-Type: text\/plain/);
  assert.doesNotMatch(mail.data, /text\/html/);
});

test('the mail text names counts and the dashboard URL and states that it has no patient data', () => {
  const n = buildNotification({ shipment: { id: 'abc', linkId: 'l', purpose: 'consult', urgent: false, state: 'imported', fileCount: 3, totalBytes: 10 },
    senderName: 'UMC', files: [{ outcome: 'stored' }, { outcome: 'warning' }, { outcome: 'stored' }] },
  'shipment.imported', 'https://portal.example/', 0);
  const { subject, text } = mailFor(n);
  assert.doesNotMatch(subject, /SPOED/);
  assert.match(text, /stored: 3 \(1 met waarschuwing/);
  assert.match(text, /https:\/\/portal\.example\/#\/shipments\/abc/);
  assert.match(text, /no patient data/);
});

test('notification settings come from the environment and bad values are reported together', () => {
  const config = loadConfig({ BEELDPOORT_SMTP_URL: 'smtp://mail.example.org:587', BEELDPOORT_NOTIFY_EMAIL: 'a@example.org, b@example.org',
    BEELDPOORT_WEBHOOK_URL: 'https://chat.example.org/hook', BEELDPOORT_PUBLIC_URL: 'https://beeldpoort.example.org' });
  assert.deepEqual({ ...config.notify }, { smtpUrl: 'smtp://mail.example.org:587', mailFrom: 'beeldpoort@beeldpoort.example.org',
    mailTo: ['a@example.org', 'b@example.org'], webhookUrl: 'https://chat.example.org/hook' });
  assert.equal(loadConfig({}).notify.smtpUrl, undefined);
  assert.throws(() => loadConfig({ BEELDPOORT_SMTP_URL: 'http://x', BEELDPOORT_NOTIFY_EMAIL: 'nobody', BEELDPOORT_WEBHOOK_URL: 'ftp://x' }),
    (error: unknown) => error instanceof ConfigError && error.problems.length === 3);
});

test('a bundled shipment is announced with its DICOM files and their outcomes, not its uploads', async (t) => {
  const hook = await startWebhookReceiver(t);
  const { ctx, stores, changes, tick } = setUp(t);
  const notifier = startNotifier(ctx, settings({ webhookUrl: hook.url }), 'http://localhost:8080/');
  t.after(() => notifier.close());
  const now = tick();
  stores.links.insert({ id: 'link-b', purpose: 'internal', senderName: 'UMC', senderContact: null, note: null, code: 'ABC234',
    issuedBy: { kind: 'cli', id: null, name: null, email: null }, createdAt: now, expiresAt: now + 86_400_000, maxShipments: 5, maxBytes: 1e9,
    revokedAt: null, revokedBy: null });
  // Upload a carries the manifest files a, b, c; upload d carries itself.
  const uploads = [{ fileId: 'a', size: 300, parts: ['a', 'b', 'c'] }, { fileId: 'd', size: 100 }];
  stores.shipments.insert({ id: 'b', linkId: 'link-b', purpose: 'internal', urgent: false, state: 'uploading', envelope: '{}', fileCount: 2,
    instanceCount: 4, totalBytes: 400, createdAt: now, updatedAt: now }, uploads);
  stores.manifestFiles.insertParts('b', uploads);
  for (const part of ['a', 'b']) stores.manifestFiles.reportPart('b', { fileId: part, outcome: 'stored' }, tick());
  stores.manifestFiles.reportPart('b', { fileId: 'c', outcome: 'failed' }, tick());
  stores.shipments.reportFile('b', { fileId: 'd', outcome: 'warning' }, tick());
  stores.shipments.update('b', { state: 'imported-with-failures', finishedAt: tick() }, tick());
  changes.emit('shipment', { shipmentId: 'b', state: 'imported-with-failures' });
  await notifier.idle();
  assert.equal(hook.received.length, 1);
  assert.equal(hook.received[0]!.body.files, 4);
  assert.deepEqual(hook.received[0]!.body.outcomes, { stored: 2, warning: 1, failed: 1 });
});
