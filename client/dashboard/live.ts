/**
 * The live feed: the portal's server-sent events (GET /api/receiver/events, WHATWG HTML §9.2). EventSource
 * reconnects by itself; we only report whether it is connected and pass every shipment change on.
 */
import type { ShipmentChange } from './view.ts';

export interface LiveFeed { close(): void }

export function openLiveFeed(onChange: (change: ShipmentChange) => void, onStatus: (connected: boolean) => void): LiveFeed {
  const source = new EventSource('/api/receiver/events');
  const handle = (event: MessageEvent<string>) => {
    try {
      const data = JSON.parse(event.data) as Partial<ShipmentChange>;
      if (typeof data.shipmentId === 'string') onChange({ shipmentId: data.shipmentId, state: String(data.state ?? '') });
    } catch {
      // a comment or keep-alive line: nothing to do
    }
  };
  source.addEventListener('message', handle);
  source.addEventListener('shipment', handle as EventListener);
  source.addEventListener('open', () => onStatus(true));
  source.addEventListener('error', () => onStatus(false));
  return { close: () => source.close() };
}

/**
 * Coalesces bursts of changes into one redraw: upload progress emits a change per chunk and an import one per
 * reported file. `schedule(run)` runs `run` after `delayMs` unless a run is already pending (then it is dropped).
 */
export function coalescer(delayMs: number): { schedule(run: () => void): void; cancel(): void } {
  let pending: ReturnType<typeof setTimeout> | undefined;
  return {
    schedule(run) {
      if (pending === undefined) pending = setTimeout(() => { pending = undefined; run(); }, delayMs);
    },
    cancel() {
      clearTimeout(pending);
      pending = undefined;
    },
  };
}
