/** Audit export formats: JSON lines (one record per line) and CSV (RFC 4180, spreadsheet-formula safe). */
import type { AuditRecord } from '../db/audit.ts';

export const CSV_COLUMNS = ['seq', 'at', 'actorKind', 'actorId', 'action', 'objectType', 'objectId', 'ip', 'details', 'prevHash', 'hash'] as const;

export function jsonLine(record: AuditRecord): string {
  return `${JSON.stringify(record)}\n`;
}

function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // OWASP CSV injection: a cell starting with = + - @ (or tab/CR) would be run as a formula by a spreadsheet.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvLine(record: AuditRecord): string {
  return `${CSV_COLUMNS.map((column) => csvField(record[column])).join(',')}\r\n`;
}
