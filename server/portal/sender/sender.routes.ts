/** The sender API (link token as bearer): what the sender page and `beeldpoort send` call. */
import express, { Router, type Request } from 'express';
import type { PortalContext } from '../context.ts';
import type { LinkRow } from '../db/links.ts';
import type { LinkAuthenticator } from '../http/link-auth.ts';
import { clientIp } from '../http/link-auth.ts';
import { createShipment, senderView } from '../shipments/shipments.ts';

/** Room for an envelope (bounded at 8 MiB in envelope.ts) plus the file list of a large CD. */
const SHIPMENT_BODY_LIMIT = '16mb';

export function senderRouter(ctx: PortalContext, auth: LinkAuthenticator): Router {
  const router = Router();
  const links = new WeakMap<Request, LinkRow>();
  router.use(async (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    links.set(req, await auth.authenticate(req));
    next();
  });
  const linkOf = (req: Request): LinkRow => links.get(req)!;

  router.get('/link', (req, res) => {
    const link = linkOf(req);
    const usage = ctx.stores.links.usage(link.id);
    ctx.stores.audit.append({ actor: { kind: 'link', id: link.id }, action: 'link.opened', object: { type: 'link', id: link.id }, ip: clientIp(req) }, ctx.now());
    res.json({
      linkId: link.id,
      purpose: link.purpose,
      urgent: link.purpose === 'transfer',
      institution: { name: ctx.config.institution.name, department: ctx.config.institution.department },
      issuedBy: { name: link.issuedBy.name, email: link.issuedBy.email },
      sender: { name: link.senderName, contact: link.senderContact },
      note: link.note,
      expiresAt: new Date(link.expiresAt).toISOString(),
      verificationCode: link.code,
      limits: { maxShipments: link.maxShipments, maxBytes: link.maxBytes, ...usage },
      publicKey: ctx.keys.institutionPublic,
      keyFingerprint: ctx.keys.fingerprint,
    });
  });

  router.post('/shipments', express.json({ limit: SHIPMENT_BODY_LIMIT }), (req, res) => {
    const result = createShipment(ctx, linkOf(req), req.body, clientIp(req));
    res.status(result.created ? 201 : 200).json({ shipmentId: result.shipmentId, state: result.state });
  });

  router.get('/shipments/:id', (req, res) => {
    res.json(senderView(ctx, linkOf(req), String(req.params.id)));
  });
  return router;
}
