/** The receiver API (session cookie + X-CSRF-Token on state changes): what the dashboard calls. */
import express, { Router, type Request } from 'express';
import type { Actor, PortalContext, ShipmentChange } from '../context.ts';
import { PortalError } from '../errors.ts';
import { clientIp } from '../http/link-auth.ts';
import { parseDuration } from '../links/duration.ts';
import { createLink, revokeLink } from '../links/links.ts';
import { csvHeader, csvLine, jsonLine } from '../audit/audit-format.ts';
import { auditFilter, withActorNames } from './audit-query.ts';
import { verifyConsent } from './consent.ts';
import { mailEnabled, sendLinkMail } from '../notify/link-mail.ts';
import { LoginGate } from './login.ts';
import { linkView, shipmentDetail, shipmentSummary } from './receiver-views.ts';
import { checkCsrf, endSession, requireSession, startSession, type Session } from './sessions.ts';

/** Who is logged in, plus what the dashboard needs to know about this portal (institution, policy, features). */
const userView = (ctx: PortalContext, session: Session) => ({
  user: { id: session.user.id, email: session.user.email, name: session.user.name, role: session.user.role },
  csrfToken: session.csrfToken,
  institution: { name: ctx.config.institution.name, department: ctx.config.institution.department },
  policy: { linkMaxDays: ctx.config.portal.linkMaxDays, linkMaxBytes: ctx.config.portal.linkMaxBytes },
  features: { mail: mailEnabled(ctx.config.notify) },
});

export function receiverRouter(ctx: PortalContext): Router {
  const router = Router();
  const gate = new LoginGate(ctx);
  const sessions = new WeakMap<Request, Session>();
  router.use((_req, res, next) => void (res.set('Cache-Control', 'no-store'), next()));
  router.use(express.json({ limit: '64kb' }));

  router.post('/login', async (req, res) => {
    const origin = req.get('origin');
    if (origin !== undefined && origin !== new URL(ctx.config.publicUrl).origin) throw new PortalError('E_CSRF', 'cross-origin login refused');
    const user = await gate.login(req.body, clientIp(req));
    res.json(userView(ctx, startSession(ctx, res, user)));
  });

  // Everything below needs a session; state changes also the CSRF token.
  router.use((req, _res, next) => {
    const session = requireSession(ctx, req);
    if (req.method !== 'GET' && req.method !== 'HEAD') checkCsrf(ctx, req, session);
    sessions.set(req, session);
    next();
  });
  const sessionOf = (req: Request) => sessions.get(req)!;
  const actorOf = (req: Request): Actor => {
    const { user } = sessionOf(req);
    return { kind: 'user', id: String(user.id), name: user.name, email: user.email };
  };

  router.post('/logout', (req, res) => {
    endSession(ctx, res, sessionOf(req));
    ctx.stores.audit.append({ actor: actorOf(req), action: 'logout', ip: clientIp(req) }, ctx.now());
    res.status(204).end();
  });
  router.get('/me', (req, res) => void res.json(userView(ctx, sessionOf(req))));

  router.post('/links', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const sender = (typeof body.sender === 'object' && body.sender !== null ? body.sender : {}) as Record<string, unknown>;
    const expiresIn = body.expires === undefined ? undefined : parseDuration(body.expires as string | number);
    if (body.expires !== undefined && expiresIn === undefined) throw new PortalError('E_LINK_INVALID', 'expires must be a duration such as "2d" or a number of seconds');
    const issued = await createLink(ctx, {
      purpose: String(body.purpose ?? ''), senderName: (sender.name ?? body.senderName) as string,
      senderContact: (sender.contact ?? body.senderContact) as string | undefined, note: body.note as string | undefined,
      expiresIn, maxShipments: body.maxShipments as number | undefined, maxBytes: body.maxBytes as number | undefined,
    }, actorOf(req), clientIp(req));
    res.status(201).json({ id: issued.id, url: issued.url, code: issued.code, expiresAt: issued.expiresAt });
  });
  router.get('/links', async (_req, res) => {
    res.json({ links: await Promise.all(ctx.stores.links.list().map((link) => linkView(ctx, link))) });
  });
  router.post('/links/:id/email', async (req, res) => {
    res.json(await sendLinkMail(ctx, ctx.config.notify, String(req.params.id), req.body?.to, actorOf(req), clientIp(req)));
  });
  router.post('/links/:id/revoke', async (req, res) => {
    res.json(await linkView(ctx, revokeLink(ctx, String(req.params.id), actorOf(req), clientIp(req))));
  });

  router.get('/shipments', (req, res) => {
    const linkId = typeof req.query.linkId === 'string' ? req.query.linkId : undefined;
    res.json({ shipments: ctx.stores.shipments.list({ linkId }).map((s) => shipmentSummary(ctx, s)) });
  });
  router.get('/shipments/:id', (req, res) => {
    const detail = shipmentDetail(ctx, String(req.params.id));
    // NEN 7513: reading an import report is an access to be logged.
    ctx.stores.audit.append({ actor: actorOf(req), action: 'shipment.viewed', object: { type: 'shipment', id: detail.shipmentId }, ip: clientIp(req) }, ctx.now());
    res.json(detail);
  });
  router.post('/shipments/:id/consent', (req, res) => void res.json(verifyConsent(ctx, String(req.params.id), actorOf(req), clientIp(req))));

  router.get('/audit', (req, res) => {
    if (sessionOf(req).user.role !== 'admin') throw new PortalError('E_FORBIDDEN', 'the audit trail is for admins');
    const filter = auditFilter(ctx, req);
    const format = String(req.query.format ?? 'json');
    if (format === 'jsonl' || format === 'csv') {
      res.type(format === 'csv' ? 'text/csv' : 'application/x-ndjson').set('Content-Disposition', `attachment; filename="audit.${format}"`);
      res.write(format === 'csv' ? csvHeader() : '');
      for (const record of ctx.stores.audit.all(filter)) res.write(format === 'csv' ? csvLine(record) : jsonLine(record));
      ctx.stores.audit.append({ actor: actorOf(req), action: 'audit.exported', ip: clientIp(req), details: { format } }, ctx.now());
      return void res.end();
    }
    const limit = Number(req.query.limit ?? 500);
    const before = req.query.before === undefined ? undefined : Number(req.query.before);
    const records = ctx.stores.audit.list({ ...filter, limit: Number.isFinite(limit) ? limit : 500, before });
    res.json({ records: withActorNames(ctx, records), chain: ctx.stores.audit.verifyChain() });
  });

  router.get('/events', (req, res) => {
    // Server-sent events (HTML Living Standard §9.2): one `shipment` event per change.
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(': connected\n\n');
    const send = (change: ShipmentChange) => res.write(`event: shipment\ndata: ${JSON.stringify(change)}\n\n`);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    const end = () => res.end();
    ctx.changes.on('shipment', send);
    ctx.changes.once('shutdown', end);
    req.on('close', () => {
      clearInterval(keepAlive);
      ctx.changes.off('shipment', send);
      ctx.changes.off('shutdown', end);
    });
  });
  return router;
}
