/** Display formatting of sizes, times and DIMSE statuses, in the current language. */
import { locale } from './i18n.ts';

export function bytes(value: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let amount = value;
  let unit = 0;
  while (amount >= 1000 && unit < units.length - 1) {
    amount /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || amount >= 100 ? 0 : 1;
  return `${amount.toLocaleString(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${units[unit]}`;
}

export function dateTime(value: Date | null | undefined): string {
  if (!value || Number.isNaN(value.getTime())) return '—';
  return value.toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' });
}

/** A DICOM DA value (YYYYMMDD, PS3.5 §6.2) shown as a date; anything else shown as given. */
export function dicomDate(value: string | null | undefined): string {
  if (!value) return '—';
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  if (!match) return value;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toLocaleDateString(locale(), { dateStyle: 'medium', timeZone: 'UTC' });
}

/** DIMSE status as PS3.7 Annex C writes it: four hex digits, e.g. 0xA700. */
export function dimseStatus(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `0x${value.toString(16).toUpperCase().padStart(4, '0')}`;
}
