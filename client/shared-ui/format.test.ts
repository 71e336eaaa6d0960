import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDicomDate, formatDuration, formatNumber, formatPersonName } from './format.ts';
import { fill, pickLanguage } from './i18n.ts';

test('sizes, durations, DICOM dates and person names read naturally', () => {
  assert.equal(formatBytes(693_000_000, 'en-GB'), '693 MB');
  assert.equal(formatBytes(1_234_567, 'nl-NL'), '1,2 MB');
  assert.equal(formatDuration(5), '0:05');
  assert.equal(formatDuration(3_725), '1:02:05');
  assert.equal(formatDuration(Number.NaN), '–');
  assert.equal(formatDicomDate('20260314', 'en-GB'), '14 March 2026');
  assert.equal(formatDicomDate('garbage', 'en-GB'), 'garbage');
  // PS3.5 §6.2.1: family^given^middle^prefix^suffix, ideographic groups after '='.
  assert.equal(formatPersonName('DOE^JANE^M^^'), 'DOE, JANE M');
  assert.equal(formatPersonName('DOE^JANE=ドウ^ジェーン'), 'DOE, JANE');
});

test('the browser language picks the catalogue, placeholders are filled and unknown ones kept', () => {
  assert.equal(pickLanguage(['de-DE', 'nl-BE', 'en'], ['nl', 'en'], 'en'), 'nl');
  assert.equal(pickLanguage(['fr'], ['nl', 'en'], 'en'), 'en');
  assert.equal(fill('{a} of {b} {c}', { a: 1, b: 2 }), '1 of 2 {c}');
});

test('kept number formatters give what toLocaleString gives, for every locale and repeated calls', () => {
  for (const locale of ['nl-NL', 'en-GB', 'de-DE', 'nl-NL', 'en-GB']) {
    for (const value of [0, 7, 999, 1_000, 12_345, 1_234_567, 98_765_432_100]) {
      assert.equal(formatNumber(value, locale), value.toLocaleString(locale));
    }
    assert.equal(formatBytes(1_234_567, locale), `${(1.234567).toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} MB`);
    assert.equal(formatBytes(693_000_000, locale), `${(693).toLocaleString(locale, { minimumFractionDigits: 0, maximumFractionDigits: 0 })} MB`);
  }
});
