/** Parses a link expiry such as `2d`, `36h`, `90m` or `3600` (seconds) into milliseconds. */
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isInteger(text) && text > 0 ? text * 1000 : undefined;
  const match = /^(\d{1,6})([smhdw]?)$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]) * UNITS[match[2] || 's']!;
  return value > 0 ? value : undefined;
}
