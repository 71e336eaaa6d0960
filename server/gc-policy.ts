/**
 * The V8 garbage-collection policy of the processes that stream a CD (portal, import worker, `start`, `send`). It sits
 * beside config.ts, not in server/portal/: the worker imports nothing from the portal's code.
 *
 * Both stream hundreds of megabytes through a small heap (~10-15 MB live): every 64 KiB socket read, decrypted record
 * and PDU is a short-lived Buffer. With that allocation rate V8 keeps STARTING incremental (concurrent) marking on
 * its soft trigger, although the old generation hardly grows (a major GC there frees ~1 MB of 14): 50-140 major GCs
 * per 700 MB CD, each marking the whole heap on the main thread and two helper threads. Measured on the 700 MB CD
 * (`npm run bench:profile`, --trace-gc): portal 51-92 and worker 133-143 Mark-Compacts, about a quarter of each
 * process's CPU in marking and sweeping (perf). Without incremental marking a major GC only happens when the old
 * generation really reaches its limit (the hard limit, as before, so memory stays bounded): one per process per CD,
 * an atomic pause of a few ms on a heap this small. Portal CPU 5.3 -> 3.5 s, worker 6.5 -> 4.4 s for the CD.
 *
 * V8 reads this flag whenever it considers starting marking, so setting it at start-up (after the isolate exists)
 * takes effect; --initial-old-space-size would do the same but is not allowed in NODE_OPTIONS and cannot be set
 * from inside the process.
 */
import v8 from 'node:v8';

let applied = false;

/** Major GCs only at the old generation's limit, never started early on V8's soft trigger. Idempotent. */
export function preferAtomicMajorGc(): void {
  if (applied) return;
  applied = true;
  v8.setFlagsFromString('--no-incremental-marking');
}
