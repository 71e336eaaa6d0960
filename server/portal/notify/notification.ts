/**
 * What a notification says, as plain data and plain text: built from opaque ids, counts and the link's
 * sender institution — never patient data (the portal has none; NEN 7513 keeps it out of mail and webhooks).
 * Sent when a shipment is completely received, when a consultation waits for its consent to be verified, and when
 * its import finished — never on the first byte: a radiologist alerted at the first image of a large study opens an
 * incomplete study.
 */

export type NotificationEvent = 'shipment.received' | 'shipment.held' | 'shipment.imported' | 'shipment.failed';

export interface Notification {
  event: NotificationEvent;
  /** Transfers (situation C) are urgent: mail gets high priority, the webhook `urgent: true`. */
  urgent: boolean;
  shipmentId: string;
  linkId: string;
  purpose: string;
  state: string;
  sender: { name: string };
  files: number;
  bytes: number;
  /** Per-file outcomes once the worker reported them. */
  outcomes?: { stored: number; warning: number; failed: number } | undefined;
  /** Where the radiologist opens the shipment in the dashboard. */
  url: string;
  at: string;
}

export interface NotificationFacts {
  /** instanceCount: the manifest files (DICOM files: a bundle upload carries several); fileCount (uploads) when absent. */
  shipment: { id: string; linkId: string; purpose: string; urgent: boolean; state: string; fileCount: number; instanceCount?: number; totalBytes: number };
  senderName: string;
  /** The manifest files with their outcomes (a bundle's parts, each other upload itself). */
  files: ReadonlyArray<{ outcome: string | null }>;
}

const FINAL = new Set(['imported', 'imported-with-failures', 'failed']);

/**
 * The events a shipment's current facts call for, in order: `received` once every file is complete, `held` while a
 * consultation waits for a receiver to verify the consent (nothing is imported until someone acts, so someone must
 * be told), and the final one. A finished shipment calls only for the final event.
 */
export function eventsFor(facts: { state: string; allFilesComplete: boolean }): NotificationEvent[] {
  const { state } = facts;
  if (state === 'failed') return ['shipment.failed'];
  if (FINAL.has(state)) return ['shipment.imported'];
  return [...(facts.allFilesComplete ? ['shipment.received' as const] : []), ...(state === 'held' ? ['shipment.held' as const] : [])];
}

export function buildNotification(facts: NotificationFacts, event: NotificationEvent, dashboardUrl: string, now: number): Notification {
  const { shipment } = facts;
  const count = (...outcomes: string[]) => facts.files.filter((f) => f.outcome !== null && outcomes.includes(f.outcome)).length;
  return {
    event,
    urgent: shipment.urgent || shipment.purpose === 'transfer',
    shipmentId: shipment.id,
    linkId: shipment.linkId,
    purpose: shipment.purpose,
    state: shipment.state,
    sender: { name: facts.senderName },
    files: shipment.instanceCount ?? shipment.fileCount,
    bytes: shipment.totalBytes,
    outcomes: event === 'shipment.received' || event === 'shipment.held' ? undefined : { stored: count('stored'), warning: count('warning'), failed: count('rejected', 'failed') },
    url: `${dashboardUrl}#/shipments/${encodeURIComponent(shipment.id)}`,
    at: new Date(now).toISOString(),
  };
}

// One line of header-safe text: CR/LF would let a crafted institution name inject mail headers (RFC 5322 §2.2).
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim().slice(0, 200); // eslint-disable-line no-control-regex

const TITLES: Record<NotificationEvent, [nl: string, en: string]> = {
  'shipment.received': ['zending ontvangen', 'shipment received'],
  'shipment.held': ['toestemming controleren', 'consent to verify'],
  'shipment.imported': ['zending geïmporteerd', 'shipment imported'],
  'shipment.failed': ['import mislukt', 'import failed'],
};

/** Plain-text mail (no HTML part: nothing in it can run), Dutch first, then English. */
export function mailFor(n: Notification): { subject: string; text: string } {
  const [nl, en] = TITLES[n.event];
  const withFailures = n.state === 'imported-with-failures';
  const subject = `${n.urgent ? '[SPOED/URGENT] ' : ''}Beeldpoort: ${nl}${withFailures ? ' (met fouten)' : ''} / ${en}${withFailures ? ' (with failures)' : ''} — ${oneLine(n.sender.name)}`;
  const outcome = n.outcomes ? [
    `Opgeslagen / stored: ${n.outcomes.stored + n.outcomes.warning}${n.outcomes.warning ? ` (${n.outcomes.warning} met waarschuwing / with warning)` : ''}`,
    `Niet opgeslagen / not stored: ${n.outcomes.failed}`,
  ] : [];
  const text = [
    `${nl[0]!.toUpperCase()}${nl.slice(1)} / ${en[0]!.toUpperCase()}${en.slice(1)}`,
    '',
    `Verzender / sender: ${oneLine(n.sender.name)}`,
    `Doel / purpose: ${n.purpose}${n.urgent ? ' (spoed / urgent)' : ''}`,
    `Status: ${n.state}`,
    `Bestanden / files: ${n.files}`,
    ...outcome,
    `Zending / shipment: ${n.shipmentId}`,
    ...(n.event === 'shipment.held' ? ['',
      'Deze consultatie wordt pas geïmporteerd nadat u de toestemmingsverklaring van de verzender hebt gecontroleerd.',
      'This consultation is imported only after you have verified the sender\'s consent statement.'] : []),
    '',
    n.url,
    '',
    'Dit bericht bevat geen patiëntgegevens. / This message contains no patient data.',
  ].join('\n');
  return { subject, text };
}
