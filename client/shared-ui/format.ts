/** Locale-aware formatting of sizes, durations, dates and DICOM dates for the pages. Pure functions. */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/**
 * Number formatters by locale and fraction digits. `toLocaleString(locale, options)` builds a new Intl.NumberFormat
 * on every call (ECMA-402 §15.5.1), a fraction of a millisecond each; the upload view formats five numbers per
 * redraw while the page is busy encrypting, so the formatters are kept. Same output by definition.
 */
const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, fractionDigits?: number): Intl.NumberFormat {
  const key = `${locale}|${fractionDigits ?? ''}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, fractionDigits === undefined ? {} : { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
    numberFormats.set(key, format);
  }
  return format;
}

/** 1 234 567 → "1,2 MB" (decimal units, as operating systems show CD sizes). */
export function formatBytes(bytes: number, locale: string): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${numberFormat(locale, digits).format(value)} ${UNITS[unit]}`;
}

/** Bytes per second → "12,3 MB/s". */
export function formatRate(bytesPerSecond: number, locale: string): string {
  return `${formatBytes(bytesPerSecond, locale)}/s`;
}

/** Seconds → "1:05:09", "4:07" or "0:12"; unknown → "–". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const total = Math.ceil(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function formatNumber(value: number, locale: string): string {
  return numberFormat(locale).format(value);
}

/** ISO timestamp → "29 november 2026 14:03" in the page language. */
export function formatDateTime(iso: string | number | Date, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '–';
  return date.toLocaleString(locale, { dateStyle: 'long', timeStyle: 'short' });
}

/** DICOM DA "20260314" (PS3.5 §6.2) → "14 maart 2026"; anything else is shown as given. */
export function formatDicomDate(da: string | undefined, locale: string): string {
  if (!da) return '–';
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim());
  if (!match) return da;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toLocaleDateString(locale, { dateStyle: 'long', timeZone: 'UTC' });
}

/** DICOM PN "DOE^JANE^^^" (PS3.5 §6.2.1) → "DOE, JANE"; only the alphabetic group is shown. */
export function formatPersonName(pn: string | undefined): string {
  if (!pn) return '–';
  const alphabetic = pn.split('=')[0] ?? '';
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = alphabetic.split('^').map((part) => part.trim());
  const givenNames = [prefix, given, middle].filter(Boolean).join(' ');
  const name = [family, givenNames].filter(Boolean).join(', ');
  return [name, suffix].filter(Boolean).join(' ') || pn;
}
