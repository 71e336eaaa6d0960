/** The plain-text blocks `beeldpoort send` and `beeldpoort status` print: who receives, what is on the CD, the outcome. */
import { formatInventory, type Inventory } from '../../shared/send/inventory.ts';
import type { LinkInfo, ShipmentSummaryLine } from '../../shared/send/index.ts';

const PURPOSES: Record<string, string> = {
  transfer: 'patient transfer (urgent)',
  consult: 'consultation (consent statement required)',
  internal: 'internal',
};

/** DICOM DA (YYYYMMDD) as YYYY-MM-DD; anything else unchanged. */
export function dicomDate(value: string): string {
  return /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}` : value;
}

export function describeLink(link: LinkInfo): string {
  return [
    `Receiver:      ${link.institution.name}, ${link.institution.department}`,
    ...(link.issuedBy?.name ? [`Requested by:  ${link.issuedBy.name}${link.issuedBy.email ? ` <${link.issuedBy.email}>` : ''}`] : []),
    `Purpose:       ${PURPOSES[link.purpose] ?? link.purpose}`,
    `Link expires:  ${link.expiresAt}`,
    `Verification:  ${link.verificationCode}  (confirm by phone with the receiver if in doubt)`,
    `Key:           ${link.keyFingerprint}`,
    ...(link.note ? [`Note:          ${link.note}`] : []),
    '',
  ].join('\n') + '\n';
}

/** The inventory (the scanner's own text) and every file left behind with its reason. */
export function describeInventory(inventory: Inventory): string {
  const lines = formatInventory(inventory);
  if (inventory.skipped.length > 0) {
    lines.push('Not sent:');
    for (const skipped of inventory.skipped.slice(0, 50)) lines.push(`  ${skipped.path}: ${skipped.reason}`);
    if (inventory.skipped.length > 50) lines.push(`  … and ${inventory.skipped.length - 50} more`);
  }
  return `${lines.join('\n')}\n\n`;
}

export function describeOutcome(summary: ShipmentSummaryLine): string {
  const verdict =
    summary.state === 'imported' ? 'imported into the PACS' : summary.state === 'imported-with-failures' ? 'imported WITH FAILURES' : summary.state;
  return `Shipment ${summary.shipmentId}: ${verdict}; ${summary.stored} of ${summary.instances} instances stored, ${summary.failed} failed.\n`;
}
