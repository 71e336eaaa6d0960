// Specific Character Set (0008,0005) in the scanner's inventory (reliability.md A14.4, "ISO 2022, GB18030, UTF-8 in
// Latin-1: no crash"): the clerk must read the patient's name as the sending hospital wrote it. The worker never
// decodes: it sends the original bytes, so this is only what the page and `beeldpoort send` show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeText, encodingFor } from './charset.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

test('each Specific Character Set value maps to its decoder; multi-valued, ISO 2022 and unknown values included', () => {
  assert.equal(encodingFor(''), 'windows-1252', 'none: the default repertoire, read leniently');
  assert.equal(encodingFor('ISO_IR 100'), 'windows-1252');
  assert.equal(encodingFor('ISO_IR 192'), 'utf-8');
  assert.equal(encodingFor('GB18030'), 'gb18030');
  assert.equal(encodingFor('ISO_IR 144'), 'iso-8859-5');
  assert.equal(encodingFor('\\ISO 2022 IR 87'), 'iso-2022-jp', 'Japanese: ASCII first, then kanji by escape sequence');
  assert.equal(encodingFor('ISO 2022 IR 6\\ISO 2022 IR 149'), 'euc-kr');
  assert.equal(encodingFor('ISO 2022 IR 100'), 'windows-1252', 'the ISO 2022 form of a single-byte set');
  assert.equal(encodingFor('ISO_IR 999'), 'windows-1252', 'unknown: Latin-1 rather than failing');
});

test('names decode as written: Latin-1, UTF-8, GB18030 and ISO 2022 (JIS X 0208 by escape sequence); padding is dropped', () => {
  assert.equal(decodeText(bytes(...ascii('de Vries^Zo'), 0xeb, 0x20), 'ISO_IR 100'), 'de Vries^Zoë');
  assert.equal(decodeText(new TextEncoder().encode('de Vries^Zoë '), 'ISO_IR 192'), 'de Vries^Zoë');
  // 王^小明 in GB18030 (its two-byte GBK range).
  assert.equal(decodeText(bytes(0xcd, 0xf5, 0x5e, 0xd0, 0xa1, 0xc3, 0xf7), 'GB18030'), '王^小明');
  // PS3.5 H.3.1 style: ASCII, then ESC $ B into JIS X 0208 for 山田, then ESC ( B back to ASCII.
  const yamada = bytes(...ascii('Yamada^Tarou='), 0x1b, 0x24, 0x42, 0x3b, 0x33, 0x45, 0x44, 0x1b, 0x28, 0x42);
  assert.equal(decodeText(yamada, '\\ISO 2022 IR 87'), 'Yamada^Tarou=山田');
});

test('bytes that are not valid in the declared set never throw: UTF-8 declared but Latin-1 written, an invalid GB18030 lead byte; NUL padding dropped', () => {
  const latin1InUtf8 = bytes(...ascii('Zo'), 0xeb, 0x00);
  assert.equal(decodeText(latin1InUtf8, 'ISO_IR 192'), 'Zo\ufffd');
  assert.equal(decodeText(bytes(0xff, 0x41), 'GB18030'), '\ufffdA', 'an invalid lead byte');
});
