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
import { gemmJob } from './gemm';
import { lstmSequenceBackwardJob, lstmSequenceJob } from './lstm';

// Control block layout (byte offsets).
export const CB_GEN: usize = 0;
export const CB_DONE: usize = 4;
export const CB_BAR_COUNT: usize = 8;
export const CB_BAR_GEN: usize = 12;
export const CB_SLEEPERS: usize = 16;
export const CB_SHUTDOWN: usize = 20;
export const CB_THREADS: usize = 24;
export const CB_KIND: usize = 28;
export const CB_MAIN_CAN_WAIT: usize = 32;
export const CB_SPIN: usize = 36;
/** Threads sleeping in a barrier (the thread that releases the barrier wakes them). */
export const CB_BAR_SLEEPERS: usize = 40;
/** Job arguments: 64 slots of 8 bytes (an i32 or an f64 each). */
export const CB_ARGS: usize = 64;
/** Per-thread scratch for edge tiles and the LSTM cell: 256 bytes per thread. */
export const CB_TILES: usize = 1024;
/** Work-claiming counters: two sets of one per thread, each in its own 64-byte line. */
export const CB_CLAIMS: usize = 1024 + 256 * 64;
export const CB_BYTES: usize = CB_CLAIMS + 2 * 64 * 64;

export const JOB_GEMM: i32 = 1;
export const JOB_LSTM_FORWARD: i32 = 2;
export const JOB_LSTM_BACKWARD: i32 = 3;

@inline export function argI(cb: usize, slot: i32): i32 {
  return load<i32>(cb + CB_ARGS + (<usize>slot << 3));
}

@inline export function argP(cb: usize, slot: i32): usize {
  return <usize>load<u32>(cb + CB_ARGS + (<usize>slot << 3));
}

@inline export function argF(cb: usize, slot: i32): f64 {
  return load<f64>(cb + CB_ARGS + (<usize>slot << 3));
}

@inline export function tileScratch(cb: usize, tid: i32): usize {
  return cb + CB_TILES + (<usize>tid << 8);
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
  return cb + CB_CLAIMS + (<usize>(((phase & 1) << 6) + owner) << 6);
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
  switch (load<i32>(cb + CB_KIND)) {
    case JOB_GEMM: gemmJob(cb, tid, threads); break;
    case JOB_LSTM_FORWARD: lstmSequenceJob(cb, tid, threads); break;
    case JOB_LSTM_BACKWARD: lstmSequenceBackwardJob(cb, tid, threads); break;
    default: break;
  }
}

/**
 * Waits at a barrier until its generation differs from `value`: spins (4× the idle spin: the
 * other threads of an LSTM sequence usually arrive within microseconds, and a sleeping thread
 * costs tens of microseconds to wake), then sleeps in short timed waits, counted in
 * CB_BAR_SLEEPERS so that the thread that releases the barrier notifies it at once.
 */
function waitWhileEqual(cb: usize, ptr: usize, value: i32, tid: i32): void {
  const spin = load<i32>(cb + CB_SPIN) << 2;
  let spins = 0;
  const mayWait = tid != 0 || load<i32>(cb + CB_MAIN_CAN_WAIT) != 0;
  while (atomic.load<i32>(ptr) == value) {
    if (++spins > spin && mayWait) {
      atomic.add<i32>(cb + CB_BAR_SLEEPERS, 1);
      memory.atomic.wait32(ptr, value, 50_000);
      atomic.sub<i32>(cb + CB_BAR_SLEEPERS, 1);
    }
  }
}

/** All threads of the running job meet here before any goes on. */
export function barrier(cb: usize, tid: i32, threads: i32): void {
  if (threads <= 1) return;
  const generation = atomic.load<i32>(cb + CB_BAR_GEN);
  if (atomic.add<i32>(cb + CB_BAR_COUNT, 1) == threads - 1) {
    atomic.store<i32>(cb + CB_BAR_COUNT, 0);
    atomic.store<i32>(cb + CB_BAR_GEN, generation + 1);
    if (atomic.load<i32>(cb + CB_BAR_SLEEPERS) > 0) atomic.notify(cb + CB_BAR_GEN, threads);
  } else {
    waitWhileEqual(cb, cb + CB_BAR_GEN, generation, tid);
  }
}

/** Runs the job described in the control block on every thread; returns when all are done. */
export function job(cb: usize): void {
  const threads = load<i32>(cb + CB_THREADS);
  if (threads > 1) {
    atomic.store<i32>(cb + CB_DONE, 0);
    atomic.add<i32>(cb + CB_GEN, 1);
    if (atomic.load<i32>(cb + CB_SLEEPERS) > 0) atomic.notify(cb + CB_GEN, threads);
  }
  runJob(cb, 0, threads);
  if (threads > 1) {
    const spin = load<i32>(cb + CB_SPIN);
    const mayWait = load<i32>(cb + CB_MAIN_CAN_WAIT) != 0;
    let spins = 0;
    let done = atomic.load<i32>(cb + CB_DONE);
    while (done != threads - 1) {
      if (++spins > spin && mayWait) memory.atomic.wait32(cb + CB_DONE, done, 50_000);
      done = atomic.load<i32>(cb + CB_DONE);
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
    const spin = load<i32>(cb + CB_SPIN) << 6;
    let spins = 0;
    let generation = atomic.load<i32>(cb + CB_GEN);
    while (generation == seen) {
      if (++spins > spin) {
        atomic.add<i32>(cb + CB_SLEEPERS, 1);
        memory.atomic.wait32(cb + CB_GEN, seen, -1);
        atomic.sub<i32>(cb + CB_SLEEPERS, 1);
        spins = 0;
      }
      generation = atomic.load<i32>(cb + CB_GEN);
    }
    seen = generation;
    if (atomic.load<i32>(cb + CB_SHUTDOWN) != 0) return;
    // A job may use fewer threads than the pool has; the others sit it out.
    const threads = load<i32>(cb + CB_THREADS);
    if (tid < threads) {
      runJob(cb, tid, threads);
      atomic.add<i32>(cb + CB_DONE, 1);
    }
  }
}

/** Wakes every worker and makes it leave `workerLoop`. */
export function shutdown(cb: usize): void {
  atomic.store<i32>(cb + CB_SHUTDOWN, 1);
  atomic.add<i32>(cb + CB_GEN, 1);
  atomic.notify(cb + CB_GEN, 1 << 30);
}
