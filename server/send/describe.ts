/** The plain-text blocks `beeldpoort send` and `beeldpoort status` print: who receives, what is on the CD, the outcome. */
import type { ShipmentSummary } from '../../shared/format/index.ts';
import type { LinkInfo, ShipmentSummaryLine } from '../../shared/send/index.ts';
import { formatBytes } from './progress-display.ts';

const PURPOSES: Record<string, string> = {
  transfer: 'patient transfer (urgent)',
  consult: 'consultation (consent statement required)',
  internal: 'internal',
};

/** DICOM DA (YYYYMMDD) as YYYY-MM-DD; anything else unchanged. */
export function dicomDate(value: string): string {
  return /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}` : value;
}

/** DICOM PN (Family^Given^Middle^Prefix^Suffix) as "Given Middle Family"-ish text, for people to read. */
export function personName(value: string): string {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = value.split('=')[0]!.split('^');
  return [prefix, given, middle, family, suffix].filter((part) => part.trim() !== '').join(' ') || value;
}

export function describeLink(link: LinkInfo): string {
  return [
    `Receiver:      ${link.institution.name}, ${link.institution.department}`,
    `Requested by:  ${link.issuedBy.name}${link.issuedBy.email ? ` <${link.issuedBy.email}>` : ''}`,
    `Purpose:       ${PURPOSES[link.purpose] ?? link.purpose}`,
    `Link expires:  ${link.expiresAt}`,
    `Verification:  ${link.verificationCode}  (confirm by phone with the receiver if in doubt)`,
    `Key:           ${link.keyFingerprint}`,
    ...(link.note ? [`Note:          ${link.note}`] : []),
    '',
  ].join('\n') + '\n';
}

export function describeInventory(summary: ShipmentSummary, warnings: readonly string[], bytes: number): string {
  const lines: string[] = [];
  for (const patient of summary.patients) {
    lines.push(`Patient: ${personName(patient.name)}  id ${patient.id}${patient.issuer ? ` (${patient.issuer})` : ''}  born ${dicomDate(patient.birthDate) || 'unknown'}`);
  }
  for (const study of summary.studies) {
    lines.push(
      `  Study ${dicomDate(study.date) || '(no date)'}  ${study.modalities.join('/') || '-'}  ${study.description || '(no description)'}` +
        `${study.accession ? `  accession ${study.accession}` : ''}: ${study.series} series, ${study.instances} instances`,
    );
  }
  lines.push(`In total: ${summary.studies.length} studies, ${summary.series} series, ${summary.instances} instances, ${formatBytes(bytes)}`);
  if (summary.skipped.length > 0) {
    lines.push(`Skipped ${summary.skipped.length} files:`);
    for (const skipped of summary.skipped.slice(0, 20)) lines.push(`  ${skipped.path}: ${skipped.reason}`);
    if (summary.skipped.length > 20) lines.push(`  … and ${summary.skipped.length - 20} more`);
  }
  for (const warning of warnings) lines.push(`WARNING: ${warning}`);
  return `${lines.join('\n')}\n\n`;
}

export function describeOutcome(summary: ShipmentSummaryLine): string {
  const verdict =
    summary.state === 'imported' ? 'imported into the PACS' : summary.state === 'imported-with-failures' ? 'imported WITH FAILURES' : summary.state;
  return `Shipment ${summary.shipmentId}: ${verdict}; ${summary.stored} of ${summary.instances} instances stored, ${summary.failed} failed.\n`;
}
