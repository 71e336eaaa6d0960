// Generated test CDs kept under .bench-cache/NAME (marker NAME.json holds the options), so benchmarks that ask for
// the same name and options share one CD and generate it only once.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTestCd, type TestCd } from '../../../server/test-cd/make-test-cd.ts';
import { CACHE } from './paths.ts';

export async function cachedCd(name: string, options: Parameters<typeof makeTestCd>[1]): Promise<TestCd> {
  const dir = path.join(CACHE, name);
  const marker = path.join(CACHE, `${name}.json`);
  const wanted = JSON.stringify(options);
  if (existsSync(marker)) {
    const saved = JSON.parse(readFileSync(marker, 'utf8')) as { options: string; cd: TestCd };
    if (saved.options === wanted && existsSync(saved.cd.dicomdir)) return saved.cd;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  console.log(`generating ${name} (cached in .bench-cache/)…`);
  const cd = await makeTestCd(dir, options);
  writeFileSync(marker, JSON.stringify({ options: wanted, cd }));
  return cd;
}

/** The CDs the end-to-end benchmarks share: ~700 MB (4 studies x 6 series x 55 images of 512 x 512) and a quarter. */
export const BENCH_CDS = {
  'cd-700': { studies: 4, series: 6, images: 55, rows: 512, seed: 'bench' },
  'cd-175': { studies: 1, series: 6, images: 55, rows: 512, seed: 'bench-small' },
} as const;
