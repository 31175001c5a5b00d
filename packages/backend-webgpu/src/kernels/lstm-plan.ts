/**
 * How a recurrent sequence (LSTM or GRU) is laid out on the GPU (decision record 0010). Per step,
 * the recurrent product `X · W` (forward: h_{t-1} [B, P] times W_hhᵀ, four (GRU: three) gates per
 * unit; backward: dGates [B, 4H] times W_hh, one value per unit) is computed in tiles: a workgroup owns `wgx` hidden
 * units and `rows` batch rows, and each invocation one unit for `rb` rows, so a weight it loads
 * serves `rb` rows and a staged row of X serves `wgx` units.
 *
 * Schedules:
 * - `fused`: one dispatch per step, the product and the cell's pointwise math together;
 * - `split`: when the tile grid is too small to fill a GPU, the product is split over K into
 *   `splits` slices (one workgroup each) that write partial sums, and a second dispatch adds them
 *   and runs the cell: two dispatches per step, many more workgroups;
 * - `persistent`: one dispatch runs the whole time loop in a single workgroup, with a barrier
 *   between steps (and between a projected LSTM's two phases), when the layer is small enough that one workgroup's throughput beats paying a
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
  /** Workgroups along x (hidden units) and y (rows); `projTilesX` along x over the P units of a projection. */
  readonly tilesX: number;
  readonly projTilesX: number;
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

/** What a plan is for: batch B, hidden H, the product's K, the state width P (H without a projection). */
export interface PlanShape {
  readonly batch: number;
  readonly hidden: number;
  /** The recurrent product's inner size (P forward, G·H backward). */
  readonly k: number;
  readonly proj: number;
  /** Phases per step: 2 with a projection, which then never takes the split schedule (3 dispatches a step). */
  readonly phases: 1 | 2;
}

/**
 * The plan for one direction of a layer; `schedule` forces one (tests, benchmarks), `'auto'`
 * decides by size.
 */
export function planSequence(shape: PlanShape, schedule: 'auto' | 'persistent' | 'per-step'): SequencePlan {
  const { batch, hidden, k, proj } = shape;
  const persistent =
    schedule === 'persistent' || (schedule === 'auto' && 4 * batch * hidden * proj <= PERSISTENT_MACS && hidden <= PERSISTENT_HIDDEN);
  const tile = tileFor(batch, hidden, persistent);
  const tilesX = Math.ceil(hidden / tile.wgx);
  const projTilesX = Math.ceil(proj / tile.wgx);
  const tilesY = Math.ceil(batch / (tile.wgy * tile.rb));
  const base = { tile, tilesX, projTilesX, tilesY, splits: 1, kChunk: k };
  if (persistent) return { schedule: 'persistent', ...base };
  const wanted = Math.floor(TARGET_GROUPS / (tilesX * tilesY));
  const splits = shape.phases === 2 ? 1 : Math.max(1, Math.min(16, wanted, Math.floor(k / MIN_K_SLICE)));
  if (splits === 1) return { schedule: 'fused', ...base };
  const kChunk = Math.ceil(k / splits / K_TILE) * K_TILE;
  return { schedule: 'split', ...base, splits: Math.ceil(k / kChunk), kChunk };
}
