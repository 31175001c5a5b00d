/**
 * Every suite, in the order they run and appear in the report. Each registers one top-level
 * `describe`. Kernel suites come first, each after the kernels its tests lean on (storage before
 * everything, stridedCopy's layout before the ops' view tests), then composites and the libraries
 * above: so a broken kernel fails under its own name first, and later tests that fail through it
 * are reported as blocked by it (docs/decisions/0022).
 */
import type { SuiteContext } from '../harness/context.js';
import { argReduceSuite } from './arg-reduce.js';
import { autogradSuite } from './autograd.js';
import { binarySuite } from './binary.js';
import { castSuite } from './cast.js';
import { clipSuite } from './clip.js';
import { creationSuite } from './creation.js';
import { errorsSuite } from './errors.js';
import { gradientSuite } from './gradients.js';
import { indexingSuite } from './indexing.js';
import { joinSuite } from './join.js';
import { layoutSuite } from './layout.js';
import { lstmSuite } from './lstm.js';
import { matmulSuite } from './matmul.js';
import { memorySuite } from './memory.js';
import { numericRulesSuite } from './numeric-rules.js';
import { optimSuite } from './optim.js';
import { ownershipSuite } from './ownership.js';
import { randomSuite } from './random.js';
import { readbackSuite } from './readback.js';
import { reduceSuite } from './reduce.js';
import { softmaxSuite } from './softmax.js';
import { storageSuite } from './storage.js';
import { unarySuite } from './unary.js';
import { validationSuite } from './validation.js';
import { whereSuite } from './where.js';

export const SUITES: readonly ((ctx: SuiteContext) => void)[] = [
  storageSuite,
  creationSuite,
  readbackSuite,
  layoutSuite,
  castSuite,
  unarySuite,
  binarySuite,
  whereSuite,
  reduceSuite,
  argReduceSuite,
  matmulSuite,
  joinSuite,
  indexingSuite,
  randomSuite,
  numericRulesSuite,
  clipSuite,
  softmaxSuite,
  memorySuite,
  ownershipSuite,
  errorsSuite,
  validationSuite,
  gradientSuite,
  autogradSuite,
  optimSuite,
  lstmSuite,
];
