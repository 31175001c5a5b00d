/**
 * One Adam / AdamW / AMSGrad step in place: one invocation per element updates param, m, v (and
 * vMax). It follows PyTorch's single-tensor implementation operation by operation in float32
 * (`torch/optim/adam.py`, `_single_tensor_adam`, whose tensor ops run in float32 with the
 * double hyperparameters converted to float): the moments are stored rounded, and the update reads
 * the stored values. Bias corrections and step size are computed on the host in double.
 */
import type { AdamStepInputs } from '@gated/backend-api';
import type { WebGpuBuffer } from '../runtime/buffer.js';
import type { GpuContext } from '../runtime/context.js';
import type { KernelSource } from '../runtime/pipelines.js';
import { UniformBlock } from '../runtime/uniforms.js';
import { storageDecl } from '../wgsl/access.js';
import { ELEMENTWISE_WORKGROUP } from '../wgsl/elementwise.js';
import { mathLibrary } from '../wgsl/math.js';

const block = new UniformBlock({
  scalars: [
    ['n', 'u32'],
    ['flags', 'u32'],
    ['beta1', 'f32'],
    ['one_minus_beta1', 'f32'],
    ['beta2', 'f32'],
    ['one_minus_beta2', 'f32'],
    ['weight_decay', 'f32'],
    ['decay', 'f32'],
    ['bc2_sqrt', 'f32'],
    ['eps', 'f32'],
    ['neg_step_size', 'f32'],
  ],
});

const MAXIMIZE = 1;
const COUPLED = 2;
const DECOUPLED = 4;
const AMSGRAD = 8;

function source(amsgrad: boolean): KernelSource {
  return {
    key: `adamStep/${amsgrad ? 'amsgrad' : 'plain'}`,
    bindings: amsgrad ? ['uniform', 'write', 'read', 'write', 'write', 'write'] : ['uniform', 'write', 'read', 'write', 'write'],
    code: () => `${block.wgsl(0)}${storageDecl('param', 1, true)}${storageDecl('grad', 2, false)}${storageDecl('m', 3, true)}${storageDecl('v', 4, true)}
${amsgrad ? storageDecl('v_max', 5, true) : ''}${mathLibrary(['sqrt'])}
@compute @workgroup_size(${ELEMENTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = gid.x + gid.y * groups.x * ${ELEMENTWISE_WORKGROUP}u;
  if (t >= P.n) { return; }
  var p = bitcast<f32>(param[t]);
  var g = bitcast<f32>(grad[t]);
  if ((P.flags & ${MAXIMIZE}u) != 0u) { g = -g; }
  if ((P.flags & ${COUPLED}u) != 0u) { g = g + P.weight_decay * p; }
  if ((P.flags & ${DECOUPLED}u) != 0u) { p = p * P.decay; }
  let m_new = m[t];
  let mt = bitcast<f32>(m_new) * P.beta1 + P.one_minus_beta1 * g;
  let vt = bitcast<f32>(v[t]) * P.beta2 + P.one_minus_beta2 * g * g;
  m[t] = bitcast<u32>(mt);
  v[t] = bitcast<u32>(vt);
  var second = vt;
${
  amsgrad
    ? `  let previous = bitcast<f32>(v_max[t]);
  if (!(f_isnan(previous) || previous >= vt)) { v_max[t] = bitcast<u32>(vt); } else { second = previous; }`
    : ''
}
  let denom = f_sqrt(second) / P.bc2_sqrt + P.eps;
  param[t] = bitcast<u32>(p + P.neg_step_size * (mt / denom));
}
`,
  };
}

export function adamStep(ctx: GpuContext, buffers: AdamStepInputs<WebGpuBuffer>): void {
  const n = buffers.param.size;
  if (n === 0) return;
  const { step, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize } = buffers;
  const biasCorrection1 = 1 - Math.pow(beta1, step);
  const coupled = !decoupledWeightDecay && weightDecay !== 0;
  const flags =
    (maximize ? MAXIMIZE : 0) |
    (coupled ? COUPLED : 0) |
    (decoupledWeightDecay && weightDecay !== 0 ? DECOUPLED : 0) |
    (buffers.vMax ? AMSGRAD : 0);
  const uniforms = block.pack({
    n,
    flags,
    beta1,
    one_minus_beta1: 1 - beta1,
    beta2,
    one_minus_beta2: 1 - beta2,
    weight_decay: weightDecay,
    decay: 1 - lr * weightDecay,
    bc2_sqrt: Math.sqrt(1 - Math.pow(beta2, step)),
    eps,
    neg_step_size: -(lr / biasCorrection1),
  });
  const list = [buffers.param, buffers.grad, buffers.m, buffers.v, ...(buffers.vMax ? [buffers.vMax] : [])];
  ctx.run(
    'adamStep',
    source(buffers.vMax !== null),
    list.map((b) => ctx.bind(b)),
    uniforms,
    Math.ceil(n / ELEMENTWISE_WORKGROUP),
  );
}
