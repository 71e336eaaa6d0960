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
 * The flag cannot be given on the command line of an installed `beeldpoort` (NODE_OPTIONS refuses V8 flags other than
 * a short list), so it is set from inside the process. V8 reads it whenever it considers starting marking, but
 * switching it off WHILE a marking cycle runs kills the process: the concurrent marker then reaches a state it
 * holds impossible ("Fatal error ... unreachable code" in ConcurrentMarking::RunMajor, SIGTRAP). CI caught the portal
 * dying so at start-up; a process churning a 130 MB heap and flipping the flag at a random moment died 2-7 times in
 * 100, and never in 400 runs once a full collection came first. So the flag is switched between cycles: one forced
 * full GC first finishes any marking in progress (V8 starts no new cycle right after a mark-compact, and nothing
 * allocates between the two calls). It costs a few milliseconds, once, at start.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let applied = false;

/** Major GCs only at the old generation's limit, never started early on V8's soft trigger. Idempotent. */
export function preferAtomicMajorGc(): void {
  if (applied) return;
  applied = true;
  finishMarkingCycle();
  v8.setFlagsFromString('--no-incremental-marking');
}

/** One full, atomic collection now. `gc` exists only in contexts created after --expose-gc, hence the new context. */
function finishMarkingCycle(): void {
  v8.setFlagsFromString('--expose-gc');
  const collect = vm.runInNewContext('gc') as () => void;
  v8.setFlagsFromString('--no-expose-gc');
  collect();
}
