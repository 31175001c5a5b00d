/**
 * How an LSTM sequence is laid out on the GPU (decision record 0010). Per step, the recurrent
 * product `X · W` (forward: h_{t-1} [B, H] times W_hhᵀ, four gates per unit; backward: dGates
 * [B, 4H] times W_hh, one value per unit) is computed in tiles: a workgroup owns `wgx` hidden
 * units and `rows` batch rows, and each invocation one unit for `rb` rows, so a weight it loads
 * serves `rb` rows and a staged row of X serves `wgx` units.
 *
 * Schedules:
 * - `fused`: one dispatch per step, the product and the cell's pointwise math together;
 * - `split`: when the tile grid is too small to fill a GPU, the product is split over K into
 *   `splits` slices (one workgroup each) that write partial sums, and a second dispatch adds them
 *   and runs the cell: two dispatches per step, many more workgroups;
 * - `persistent`: one dispatch runs the whole time loop in a single workgroup, with a barrier
 *   between steps, when the layer is small enough that one workgroup's throughput beats paying a
 *   dispatch per step.
 */

/** Tile shape of the recurrent product. */
export interface RecurrentTile {
  /** Hidden units per workgroup (invocations along x). */
  readonly wgx: number;
  /** Invocations along y (batch rows in parallel). */
  readonly wgy: number;
  /** Batch rows per invocation. */
  readonly rb: number;
}

export interface SequencePlan {
  readonly schedule: 'fused' | 'split' | 'persistent';
  readonly tile: RecurrentTile;
  /** Workgroups along x (units) and y (rows). */
  readonly tilesX: number;
  readonly tilesY: number;
  /** K slices of the split schedule (1 otherwise) and the K each covers. */
  readonly splits: number;
  readonly kChunk: number;
}

/** K staged per workgroup-memory tile. */
export const K_TILE = 32;
/** A split schedule gives each K slice at least this many terms. */
const MIN_K_SLICE = 32;
/** The split schedule aims for at least this many workgroups per step. */
const TARGET_GROUPS = 64;
/** Persistent when a step's multiply-adds (4·B·H²) and the weights (16·H² bytes) are this small. */
const PERSISTENT_MACS = 1 << 20;
const PERSISTENT_HIDDEN = 256;

function nextPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

/** The tile for `batch` rows and `hidden` units (at most 256 invocations, 16 rows). */
export function tileFor(batch: number, hidden: number, persistent: boolean): RecurrentTile {
  const wgx = Math.min(64, Math.max(8, nextPow2(hidden)));
  if (persistent) {
    const wgy = Math.min(256 / wgx, nextPow2(batch));
    return { wgx, wgy, rb: Math.min(4, Math.ceil(batch / wgy)) };
  }
  const wgy = Math.min(4, nextPow2(batch));
  return { wgx, wgy, rb: Math.min(4, Math.ceil(batch / wgy)) };
}

/**
 * The plan for one direction of a layer: `k` is the product's inner size (H forward, 4H
 * backward); `schedule` forces one (tests, benchmarks), `'auto'` decides by size.
 */
export function planSequence(batch: number, hidden: number, k: number, schedule: 'auto' | 'persistent' | 'per-step'): SequencePlan {
  const persistent = schedule === 'persistent' || (schedule === 'auto' && 4 * batch * hidden * hidden <= PERSISTENT_MACS && hidden <= PERSISTENT_HIDDEN);
  const tile = tileFor(batch, hidden, persistent);
  const tilesX = Math.ceil(hidden / tile.wgx);
  const tilesY = Math.ceil(batch / (tile.wgy * tile.rb));
  if (persistent) return { schedule: 'persistent', tile, tilesX, tilesY, splits: 1, kChunk: k };
  const wanted = Math.floor(TARGET_GROUPS / (tilesX * tilesY));
  const splits = Math.max(1, Math.min(16, wanted, Math.floor(k / MIN_K_SLICE)));
  if (splits === 1) return { schedule: 'fused', tile, tilesX, tilesY, splits: 1, kChunk: k };
  const kChunk = Math.ceil(k / splits / K_TILE) * K_TILE;
  return { schedule: 'split', tile, tilesX, tilesY, splits: Math.ceil(k / kChunk), kChunk };
}
