/**
 * Benchmark (not a test): peak RSS and time of `beeldpoort worker` (a child process) importing one generated CD
 * of about SIZE_MB (default 100) into storescp +B, against the worker's own idle RSS measured in the same run.
 * Bounded memory means the peak stays far below the shipment size. Usage:
 *   node --import tsx scripts/bench/worker-import.ts [SIZE_MB]
 * Last line: one JSON object with the figures.
 */
import { makeTestCd } from '../../server/test-cd/make-test-cd.ts';
import { spawnPeer } from '../../test/helpers/child.ts';
import { waitForShipment } from '../../test/helpers/import-worker.ts';
import { waitUntil } from '../../test/helpers/ports.ts';
import { startTestPortal } from '../../test/helpers/portal.ts';
import { startStorescp } from '../../test/helpers/storescp.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { createTestShipment, specsOf } from '../../test/helpers/upload-shipment.ts';
import { BIN as bin } from './support/paths.ts';
import { procMemory as memory } from './support/process-sampler.ts';
import { buildCliBundle } from './support/cli-bundle.ts';

buildCliBundle();

const sizeMb = Number(process.argv[2] ?? 100);

const tmp = makeTempDir('beeldpoort-bench-worker-');
const portal = await startTestPortal();
const pacs = await startStorescp();
let worker: ReturnType<typeof spawnPeer> | undefined;
try {
  // 512 x 512 x 16 bit images: 512 KiB each.
  const images = Math.max(1, Math.round((sizeMb * 1024) / 512 / 3));
  const cd = await makeTestCd(tmp.dir, { studies: 1, series: 3, images, rows: 512, seed: 'bench' });
  const specs = specsOf(cd);
  const bytes = specs.reduce((n, s) => n + s.bytes.length, 0);
  worker = spawnPeer(process.execPath, [bin, 'worker'], {
    env: {
      ...process.env, BEELDPOORT_DATA: portal.dataDir, BEELDPOORT_PORTAL_URL: portal.url, BEELDPOORT_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      BEELDPOORT_PACS: `${pacs.aet}@127.0.0.1:${pacs.port}`,
    },
  });
  const pid = worker.child.pid!;
  await waitUntil(async () => worker!.log().includes('pulling from'), { what: 'worker started', timeoutMs: 30_000, describe: worker.log });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idle = memory(pid); // the reference: the same process, started, before any shipment
  // A non-internal link would be leased while uploading; internal waits until every file is complete.
  const link = await portal.createLink({ purpose: 'internal', maxBytes: 4 * bytes });
  const shipment = await createTestShipment(portal.url, link.token, specs);
  await shipment.uploadAll();
  specs.length = 0;
  const started = Date.now();
  let peak = 0;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      peak = Math.max(peak, memory(pid).peakMb);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const { shipment: row } = await waitForShipment(portal, shipment.shipmentId, undefined, 600_000);
  const seconds = (Date.now() - started) / 1000;
  peak = Math.max(peak, memory(pid).peakMb);
  done = true;
  await sampler;
  const received = (await pacs.files()).length;
  const result = {
    bench: 'worker-import', state: row.state, instances: cd.instances.length, received, shipmentMb: +(bytes / 2 ** 20).toFixed(1),
    seconds: +seconds.toFixed(2), mbPerSecond: +(bytes / 2 ** 20 / seconds).toFixed(1), workerPeakRssMb: +peak.toFixed(1),
    workerIdleRssMb: +idle.rssMb.toFixed(1), peakOverIdle: +(peak / idle.rssMb).toFixed(2), peakOverShipment: +(peak / (bytes / 2 ** 20)).toFixed(2),
  };
  console.log(`worker imported ${result.instances} instances (${result.shipmentMb} MB) in ${result.seconds} s; peak RSS ${result.workerPeakRssMb} MB (idle ${result.workerIdleRssMb} MB)`);
  console.log(JSON.stringify(result));
} finally {
  if (process.env.BENCH_LOG_LEVEL) console.error(worker?.log());
  await worker?.stop();
  await pacs.stop();
  await portal.stop();
  tmp.remove();
}
