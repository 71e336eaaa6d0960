/**
 * A receiver records that they read a consultation's consent statement and verified it. Only then is the
 * consultation offered to the worker again (NVvR situation B: consultation needs the patient's consent).
 */
import type { Actor, PortalContext } from '../context.ts';
import type { ShipmentState } from '../db/shipments.ts';
import { PortalError } from '../errors.ts';
import { emitChange } from '../shipments/shipments.ts';

export function verifyConsent(ctx: PortalContext, shipmentId: string, actor: Actor, ip: string): { state: ShipmentState } {
  const now = ctx.now();
  const result = ctx.stores.shipments.transaction(() => {
    const shipment = ctx.stores.shipments.get(shipmentId);
    if (!shipment) throw new PortalError('E_SHIPMENT_NOT_FOUND', `no shipment ${shipmentId}`);
    if (shipment.purpose !== 'consult') throw new PortalError('E_STATE_CONFLICT', 'only a consultation needs its consent verified');
    if (shipment.consentVerifiedAt !== null) return { state: shipment.state, changed: false };
    if (shipment.statements === null) throw new PortalError('E_STATE_CONFLICT', 'the sender statements have not been read yet; wait for the worker to unwrap the shipment');
    const complete = ctx.stores.shipments.files(shipmentId).every((f) => f.completedAt !== null);
    const state: ShipmentState = shipment.state === 'held' ? (complete ? 'received' : 'uploading') : shipment.state;
    ctx.stores.shipments.update(shipmentId, { consentVerifiedAt: now, consentVerifiedBy: actor.id ?? null, state }, now);
    ctx.stores.audit.append({ actor, action: 'consent.verified', object: { type: 'shipment', id: shipmentId }, ip }, now);
    return { state, changed: true };
  });
  if (result.changed) emitChange(ctx, shipmentId, result.state);
  return { state: result.state };
}
