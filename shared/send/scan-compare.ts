/**
 * Whether two files hold the same bytes, read in 1 MiB steps (only for the rare files that share a SOP Instance
 * UID, so a CD with a copied folder is told apart from two different objects under one UID).
 */
import type { PlainFile } from './plan-shipment.ts';

const STEP = 1024 * 1024;

export async function sameContent(a: PlainFile, b: PlainFile): Promise<boolean> {
  if (a.size !== b.size) return false;
  for (let start = 0; start < a.size; start += STEP) {
    const end = Math.min(a.size, start + STEP);
    const [x, y] = await Promise.all([a.read(start, end), b.read(start, end)]);
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}
