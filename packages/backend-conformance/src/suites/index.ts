/** Every suite, in the order they appear in the report. Each registers one top-level `describe`. */
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
  unarySuite,
  binarySuite,
  whereSuite,
  castSuite,
  clipSuite,
  reduceSuite,
  argReduceSuite,
  softmaxSuite,
  matmulSuite,
  layoutSuite,
  joinSuite,
  indexingSuite,
  randomSuite,
  memorySuite,
  ownershipSuite,
  errorsSuite,
  validationSuite,
  gradientSuite,
  autogradSuite,
  optimSuite,
  lstmSuite,
];
