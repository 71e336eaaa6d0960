/**
 * The short code the sender page and the radiologist both show, so a clerk can confirm by phone that the
 * link really comes from the receiving hospital. The alphabet leaves out look-alikes (0/O, 1/I/L, 5/S, 2/Z)
 * so it survives being read aloud or typed from a printout.
 */
import { randomInt } from 'node:crypto';

export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRTUVWXY346789';
export const CODE_LENGTH = 6;

export function newVerificationCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}
