/** What every dashboard view receives and returns. */
import type { Api } from './api.ts';
import type { Me } from './model.ts';

/** One change of one shipment, as the portal's server-sent events announce it. */
export interface ShipmentChange { shipmentId: string; state: string }

export interface ViewContext {
  readonly api: Api;
  readonly me: Me;
  navigate(hash: string): void;
  /** Read out by screen readers (an aria-live region). */
  announce(text: string): void;
}

export interface View {
  readonly element: HTMLElement;
  /** Called for every live shipment change while the view is shown. */
  onChange?(change: ShipmentChange): void;
  dispose?(): void;
}
