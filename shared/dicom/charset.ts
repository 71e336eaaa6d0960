/**
 * Decoding text values under (0008,0005) Specific Character Set (PS3.3 C.12.1.1.2, PS3.5 §6.1). Names such as
 * "de Vries^Zoë" are Latin-1 under ISO_IR 100 and UTF-8 under ISO_IR 192; reading them as ASCII garbles them on
 * the very screen where a clerk checks the patient. ISO 2022 code extensions are decoded by the nearest
 * WHATWG decoder (iso-2022-jp / iso-2022-kr); anything unknown falls back to Latin-1 rather than failing.
 */

const SINGLE: Record<string, string> = {
  '': 'windows-1252',
  ISO_IR_6: 'windows-1252',
  ISO_IR_100: 'windows-1252',
  ISO_IR_101: 'iso-8859-2',
  ISO_IR_109: 'iso-8859-3',
  ISO_IR_110: 'iso-8859-4',
  ISO_IR_144: 'iso-8859-5',
  ISO_IR_127: 'iso-8859-6',
  ISO_IR_126: 'iso-8859-7',
  ISO_IR_138: 'iso-8859-8',
  ISO_IR_148: 'iso-8859-9',
  ISO_IR_203: 'iso-8859-15',
  ISO_IR_13: 'shift_jis',
  ISO_IR_166: 'windows-874',
  ISO_IR_192: 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

/** The WHATWG encoding label for a Specific Character Set value (possibly multi-valued, `\`-separated). */
export function encodingFor(specificCharacterSet: string): string {
  const terms = specificCharacterSet.split('\\').map((t) => t.trim().replace(/ /g, '_').toUpperCase());
  const first = terms.find((t) => t !== '') ?? '';
  if (first in SINGLE) return SINGLE[first]!;
  if (terms.some((t) => t === 'ISO_2022_IR_87' || t === 'ISO_2022_IR_159')) return 'iso-2022-jp';
  if (terms.some((t) => t === 'ISO_2022_IR_149')) return 'euc-kr';
  const iso2022 = /^ISO_2022_IR_(\d+)$/.exec(first);
  if (iso2022 && `ISO_IR_${iso2022[1]}` in SINGLE) return SINGLE[`ISO_IR_${iso2022[1]}`]!;
  return 'windows-1252';
}

const decoders = new Map<string, TextDecoder>();

/** Decodes a text value's bytes; trailing padding (space, NUL) removed. Never throws. */
export function decodeText(bytes: Uint8Array, specificCharacterSet: string): string {
  const label = encodingFor(specificCharacterSet);
  let decoder = decoders.get(label);
  if (!decoder) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = new TextDecoder('windows-1252');
    }
    decoders.set(label, decoder);
  }
  return decoder.decode(bytes).replace(/[\0 ]+$/, '');
}
