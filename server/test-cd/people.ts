/**
 * Who is on the synthetic CD: fictional Dutch patients whose names need a Specific Character Set (PS3.3
 * C.12.1.1.2): ISO_IR 100 (Latin-1) for "ë", ISO_IR 192 (UTF-8) for the "Ĳ" ligature Latin-1 cannot hold.
 */
import type { Charset } from './encode.ts';

export interface TestPatient {
  name: string;
  id: string;
  birthDate: string;
  sex: 'F' | 'M';
  /** The value of (0008,0005) Specific Character Set. */
  specificCharacterSet: 'ISO_IR 100' | 'ISO_IR 192';
  charset: Charset;
}

export const PATIENTS: readonly TestPatient[] = [
  { name: 'de Vries^Zoë Anneliës', id: 'BP0000123', birthDate: '19560412', sex: 'F', specificCharacterSet: 'ISO_IR 100', charset: 'latin1' },
  { name: 'Ĳzerman^Joël', id: 'BP0000456', birthDate: '19830917', sex: 'M', specificCharacterSet: 'ISO_IR 192', charset: 'utf8' },
  { name: 'Öztürk^Gülşen', id: 'BP0000789', birthDate: '19701130', sex: 'F', specificCharacterSet: 'ISO_IR 192', charset: 'utf8' },
];

export const STUDY_DESCRIPTIONS = ['CT thorax met contrast', 'MRI hersenen zonder contrast', 'CT abdomen blanco', 'MRI knie rechts'];

export const INSTITUTION = 'Ziekenhuis Beeldstad';
