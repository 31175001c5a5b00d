/**
 * Fork-join over shared memory. The host (thread 0) writes a job into the control block and calls
 * `job`; workers sleep in `workerLoop` until the job generation changes, run their share, and
 * count themselves done. Inside a job, `barrier` separates phases (the LSTM kernels pass one per
 * time step). Threads spin first, because most waits are microseconds; then they sleep with
 * `memory.atomic.wait32` (the idle loop) or poll with short timed waits (barriers), except the
 * browser's main thread, which may not wait and only spins.
 *
 * In the single-threaded build (unshared memory) `threads` is 1 and none of this runs.
 */
import { ControlBlock, Job, Limits } from './abi';
import { gemmJob } from './gemm';
import { gruSequenceBackwardJob } from './gru-backward';
import { gruSequenceJob } from './gru-forward';
import { lstmSequenceBackwardJob } from './lstm-backward';
import { lstmSequenceJob } from './lstm-forward';

@inline export function argI(cb: usize, slot: i32): i32 {
  return load<i32>(cb + ControlBlock.args + (<usize>slot << 3));
}

@inline export function argP(cb: usize, slot: i32): usize {
  return <usize>load<u32>(cb + ControlBlock.args + (<usize>slot << 3));
}


@inline export function tileScratch(cb: usize, tid: i32): usize {
  return cb + ControlBlock.tiles + <usize>tid * Limits.tileBytes;
}

/** The part [begin, end) of `count` items that thread `tid` of `threads` takes. */
@inline export function shareBegin(count: i32, tid: i32, threads: i32): i32 {
  return <i32>((<i64>count * tid) / threads);
}

/**
 * Work claiming. A phase of a job splits `count` items into the threads' static shares
 * (`shareBegin`, in whole granules of `granule` items), but a thread takes its items `chunk` at a
 * time through an atomic counter of its share, and when its share is used up it claims from the
 * others' shares in turn. A thread that the system or another tenant slows down thus holds up
 * the phase by at most one chunk, not by its whole share (the calling thread of a browser page is
 * the usual example), while every thread still works mostly on its own items (and their weights
 * in its own cache).
 *
 *   claimBegin(cb, phase, tid);
 *   for (let first = claimNext(...); first >= 0; first = claimNext(...)) work(first, claimedEnd(cb, tid));
 *
 * Consecutive phases (separated by a barrier) use the two sets of counters in turn, so that each
 * thread can zero its own counter of the other set while a phase runs; the host zeroes both sets
 * before every job. A thread's cursor (the share it is draining and the end of its last chunk)
 * sits in its tile scratch, at CLAIM_CURSOR.
 */
@inline function claimCounter(cb: usize, phase: i32, owner: i32): usize {
  return cb + ControlBlock.claims + (<usize>(((phase & 1) << 6) + owner) << 6);
}

/** Bytes 240…247 of a thread's tile scratch (the kernels use 0…207). */
const CLAIM_CURSOR: usize = 240;

/** Starts `phase` for this thread: zeroes its counter of the set the next phase uses and its cursor. */
export function claimBegin(cb: usize, phase: i32, tid: i32): void {
  atomic.store<i32>(claimCounter(cb, phase + 1, tid), 0);
  store<i32>(tileScratch(cb, tid) + CLAIM_CURSOR, 0);
}

/**
 * Claims this thread's next chunk of the phase's `count` items: returns its first item (its end
 * is `claimedEnd`), or -1 when every share is used up. With `descending`, chunks are taken from
 * the end of each share (for steps that walk the weights backwards). One thread takes everything
 * at once.
 */
export function claimNext(
  cb: usize, phase: i32, tid: i32, threads: i32, count: i32, granule: i32, chunk: i32, descending: bool,
): i32 {
  const cursor = tileScratch(cb, tid) + CLAIM_CURSOR;
  let v = load<i32>(cursor);
  if (threads == 1) {
    store<i32>(cursor, 1);
    store<i32>(cursor, count, 4);
    return v == 0 && count > 0 ? 0 : -1;
  }
  const granules = (count + granule - 1) / granule;
  for (; v < threads; v++) {
    const owner = (tid + v) % threads;
    const begin = min(count, shareBegin(granules, owner, threads) * granule);
    const end = min(count, shareBegin(granules, owner + 1, threads) * granule);
    const first = min(end, begin + atomic.add<i32>(claimCounter(cb, phase, owner), chunk));
    if (first < end) {
      const last = min(end, first + chunk);
      const start = descending ? begin + end - last : first;
      store<i32>(cursor, v);
      store<i32>(cursor, start + last - first, 4);
      return start;
    }
  }
  store<i32>(cursor, v);
  return -1;
}

/** End (exclusive) of the chunk `claimNext` returned last. */
@inline export function claimedEnd(cb: usize, tid: i32): i32 {
  return load<i32>(tileScratch(cb, tid) + CLAIM_CURSOR, 4);
}

function runJob(cb: usize, tid: i32, threads: i32): void {
  switch (load<i32>(cb + ControlBlock.kind)) {
    case Job.gemm: gemmJob(cb, tid, threads); break;
    case Job.lstmSequence: lstmSequenceJob(cb, tid, threads); break;
    case Job.lstmSequenceBackward: lstmSequenceBackwardJob(cb, tid, threads); break;
    case Job.gruSequence: gruSequenceJob(cb, tid, threads); break;
    case Job.gruSequenceBackward: gruSequenceBackwardJob(cb, tid, threads); break;
    default: break;
  }
}

/**
 * Waits at a barrier until its generation differs from `value`: spins (4× the idle spin: the
 * other threads of an LSTM sequence usually arrive within microseconds, and a sleeping thread
 * costs tens of microseconds to wake), then sleeps in short timed waits, counted in
 * ControlBlock.barrierSleepers so that the thread that releases the barrier notifies it at once.
 */
function waitWhileEqual(cb: usize, ptr: usize, value: i32, tid: i32): void {
  const spin = load<i32>(cb + ControlBlock.spin) << 2;
  let spins = 0;
  const mayWait = tid != 0 || load<i32>(cb + ControlBlock.mainCanWait) != 0;
  while (atomic.load<i32>(ptr) == value) {
    if (++spins > spin && mayWait) {
      atomic.add<i32>(cb + ControlBlock.barrierSleepers, 1);
      memory.atomic.wait32(ptr, value, 50_000);
      atomic.sub<i32>(cb + ControlBlock.barrierSleepers, 1);
    }
  }
}

/** All threads of the running job meet here before any goes on. */
export function barrier(cb: usize, tid: i32, threads: i32): void {
  if (threads <= 1) return;
  const generation = atomic.load<i32>(cb + ControlBlock.barrierGeneration);
  if (atomic.add<i32>(cb + ControlBlock.barrierCount, 1) == threads - 1) {
    atomic.store<i32>(cb + ControlBlock.barrierCount, 0);
    atomic.store<i32>(cb + ControlBlock.barrierGeneration, generation + 1);
    if (atomic.load<i32>(cb + ControlBlock.barrierSleepers) > 0) atomic.notify(cb + ControlBlock.barrierGeneration, threads);
  } else {
    waitWhileEqual(cb, cb + ControlBlock.barrierGeneration, generation, tid);
  }
}

/** Runs the job described in the control block on every thread; returns when all are done. */
export function job(cb: usize): void {
  const threads = load<i32>(cb + ControlBlock.threads);
  if (threads > 1) {
    atomic.store<i32>(cb + ControlBlock.done, 0);
    atomic.add<i32>(cb + ControlBlock.generation, 1);
    if (atomic.load<i32>(cb + ControlBlock.sleepers) > 0) atomic.notify(cb + ControlBlock.generation, threads);
  }
  runJob(cb, 0, threads);
  if (threads > 1) {
    const spin = load<i32>(cb + ControlBlock.spin);
    const mayWait = load<i32>(cb + ControlBlock.mainCanWait) != 0;
    let spins = 0;
    let done = atomic.load<i32>(cb + ControlBlock.done);
    while (done != threads - 1) {
      if (++spins > spin && mayWait) memory.atomic.wait32(cb + ControlBlock.done, done, 50_000);
      done = atomic.load<i32>(cb + ControlBlock.done);
    }
  }
}

/**
 * A worker's life: wait for a job generation after `seen`, run it, repeat until shutdown. After a
 * job it spins 64 times longer than at a barrier (about a millisecond) before it sleeps: the next
 * job of a training step usually comes within that, and waking a sleeping thread costs tens of
 * microseconds.
 */
export function workerLoop(cb: usize, tid: i32, seen: i32): void {
  while (true) {
    const spin = load<i32>(cb + ControlBlock.spin) << 6;
    let spins = 0;
    let generation = atomic.load<i32>(cb + ControlBlock.generation);
    while (generation == seen) {
      if (++spins > spin) {
        atomic.add<i32>(cb + ControlBlock.sleepers, 1);
        memory.atomic.wait32(cb + ControlBlock.generation, seen, -1);
        atomic.sub<i32>(cb + ControlBlock.sleepers, 1);
        spins = 0;
      }
      generation = atomic.load<i32>(cb + ControlBlock.generation);
    }
    seen = generation;
    if (atomic.load<i32>(cb + ControlBlock.shutdown) != 0) return;
    // A job may use fewer threads than the pool has; the others sit it out.
    const threads = load<i32>(cb + ControlBlock.threads);
    if (tid < threads) {
      runJob(cb, tid, threads);
      atomic.add<i32>(cb + ControlBlock.done, 1);
    }
  }
}

/** Wakes every worker and makes it leave `workerLoop`. */
export function shutdown(cb: usize): void {
  atomic.store<i32>(cb + ControlBlock.shutdown, 1);
  atomic.add<i32>(cb + ControlBlock.generation, 1);
  atomic.notify(cb + ControlBlock.generation, 1 << 30);
}
