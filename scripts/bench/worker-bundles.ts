// What bundles save the import: the same CD, uploaded once as one tus upload per file (manifest v1, the reference)
// and once as bundles of at most BUNDLE_MB (default 16) of ciphertext (manifest v2), each imported by a fresh
// `beeldpoort worker` from a `beeldpoort portal` (both their own processes) into storescp +B, alternating ROUNDS
// times (default 3). Counted per import, from the worker's first lease to the shipment's finish: wall time, CPU
// seconds of worker and portal (the upload happens before, with no worker running). BENCH_CD=cd-700 uses the full CD.
// Not a test: the last line is one JSON object with medians and bundled/reference ratios.
import { ciphertextSize } from '../../shared/format/index.ts';
import { startStorescp } from '../../test/helpers/storescp.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { waitUntil } from '../../test/helpers/ports.ts';
import { createTestShipment, specsOf, type ShipmentFileSpec } from '../../test/helpers/upload-shipment.ts';
import { startBenchPortal } from './support/bench-portal.ts';
import { BENCH_CDS, cachedCd } from './support/cached-cd.ts';
import { buildCliBundle } from './support/cli-bundle.ts';
import { BIN } from './support/paths.ts';
import { procCpuSeconds, run } from './support/process-sampler.ts';
import { median, round } from './support/stats.ts';

buildCliBundle();

const cdName = (process.env.BENCH_CD ?? 'cd-175') as keyof typeof BENCH_CDS;
const bundleBytes = Number(process.env.BUNDLE_MB ?? 16) * 2 ** 20;
const rounds = Number(process.env.ROUNDS ?? 3);

/** Consecutive files grouped while their ciphertexts fit in bundleBytes, as the sender groups them. */
function bundleSizes(specs: readonly ShipmentFileSpec[]): number[] {
  const sizes: number[] = [];
  let count = 0;
  let bytes = 0;
  for (const spec of specs) {
    const length = ciphertextSize(spec.bytes.length);
    if (count > 0 && bytes + length > bundleBytes) {
      sizes.push(count);
      count = 0;
      bytes = 0;
    }
    count += 1;
    bytes += length;
  }
  if (count > 0) sizes.push(count);
  return sizes;
}

const cd = await cachedCd(cdName, BENCH_CDS[cdName]);
const specs = specsOf(cd);
const total = specs.reduce((n, s) => n + s.bytes.length, 0);
const scp = await startStorescp();
const tmp = makeTempDir('beeldpoort-bench-bundles-');
const bench = await startBenchPortal(tmp.dir, scp);
try {
  const created = await run(process.execPath, [BIN, 'link', 'create', '--purpose', 'transfer', '--sender', 'Bench', '--json',
    '--max-shipments', String(2 * rounds + 1), '--max-bytes', String(4 * rounds * total)], bench.env).done;
  const linkUrl = (JSON.parse(created.stdout.trim().split('\n').at(-1)!) as { url: string }).url;
  const portalUrl = new URL(linkUrl).origin;
  const token = linkUrl.split('#')[1]!;
  const variants = { reference: undefined, bundled: bundleSizes(specs) } as const;
  const figures: Record<keyof typeof variants, Array<{ wall: number; worker: number; portal: number }>> = { reference: [], bundled: [] };

  const state = async (shipmentId: string): Promise<string> => {
    const response = await fetch(`${portalUrl}/api/sender/shipments/${shipmentId}`, { headers: { authorization: `Bearer ${token}` } });
    return ((await response.json()) as { state: string }).state;
  };
  for (let r = 0; r < rounds; r++) {
    for (const name of Object.keys(variants) as Array<keyof typeof variants>) {
      const shipment = await createTestShipment(portalUrl, token, specs, { bundles: variants[name] });
      await shipment.uploadAll();
      const worker = run(process.execPath, [BIN, 'worker'], { ...bench.env, BEELDPOORT_LOG_LEVEL: 'info' });
      try {
        // From the lease on: the worker's start-up is not the import.
        await waitUntil(async () => worker.sawAt('leased') !== undefined, { what: 'lease', timeoutMs: 60_000 });
        const [worker0, portal0, t0] = [procCpuSeconds(worker.pid), procCpuSeconds(bench.portal.pid), performance.now()];
        await waitUntil(async () => ['imported', 'imported-with-failures', 'failed'].includes(await state(shipment.shipmentId)), {
          what: 'import', timeoutMs: 600_000, intervalMs: 100,
        });
        const done = { wall: (performance.now() - t0) / 1000, worker: procCpuSeconds(worker.pid) - worker0, portal: procCpuSeconds(bench.portal.pid) - portal0 };
        const final = await state(shipment.shipmentId);
        if (final !== 'imported') throw new Error(`${name}: ${final}`);
        figures[name].push(done);
        console.log(`${name} (${shipment.uploads.length} uploads): ${round(done.wall)} s, CPU worker ${round(done.worker)} s, portal ${round(done.portal)} s`);
      } finally {
        await worker.stop();
      }
    }
  }
  const medians = (name: keyof typeof variants) => ({
    wall_s: round(median(figures[name].map((f) => f.wall))), worker_cpu_s: round(median(figures[name].map((f) => f.worker))),
    portal_cpu_s: round(median(figures[name].map((f) => f.portal))),
  });
  const reference = medians('reference');
  const bundled = medians('bundled');
  const ratio = (key: keyof typeof reference) => round(bundled[key] / reference[key], 2);
  console.log(JSON.stringify({
    bench: 'worker-bundles', cd: cdName, instances: specs.length, mb: round(total / 2 ** 20), bundleMb: bundleBytes / 2 ** 20,
    uploads: { reference: specs.length, bundled: variants.bundled.length }, rounds, reference, bundled,
    ratio: { wall: ratio('wall_s'), worker_cpu: ratio('worker_cpu_s'), portal_cpu: ratio('portal_cpu_s') },
  }));
} finally {
  await bench.portal.stop();
  await scp.stop();
  tmp.remove();
}
