// The reference every transfer benchmark is measured against: DCMTK storescu sending the CD's DICOM folder to a
// fresh storescp +B, TCP_NODELAY=1 on both sides.
import path from 'node:path';
import type { TestCd } from '../../../server/test-cd/make-test-cd.ts';
import { startStorescp, type Storescp } from '../../../test/helpers/storescp.ts';
import { run } from './process-sampler.ts';
import { timed } from './stats.ts';

/** Fails unless the storescp holds every instance of the CD. */
export async function expectAllStored(cd: TestCd, scp: Storescp, mode: string): Promise<void> {
  const received = (await scp.files()).length;
  if (received !== cd.instances.length) throw new Error(`${mode}: storescp holds ${received} of ${cd.instances.length} instances`);
}

/** Seconds storescu took to send the whole CD (one association, -xr so RLE can go; +sd +r: the folder). */
export async function storescuSeconds(cd: TestCd, mode: string): Promise<number> {
  const scp = await startStorescp();
  try {
    const seconds = await timed(async () => {
      const r = await run('storescu', ['-aec', scp.aet, '-xr', '-R', '+sd', '+r', '127.0.0.1', String(scp.port), path.join(cd.root, 'DICOM')], { ...process.env, TCP_NODELAY: '1' }).done;
      if (r.code !== 0) throw new Error(`storescu failed: ${r.stderr}`);
    });
    await expectAllStored(cd, scp, mode);
    return seconds;
  } finally {
    await scp.stop();
  }
}
