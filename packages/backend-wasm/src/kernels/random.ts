/** Host side of the random fill (assembly/random.ts): the shared stream's distribution and its two parameters. */
import type { RandomRequest } from '@gated/backend-api';
import type { WasmHost } from '../host.js';
import type { WasmBuffer } from '../wasm-buffer.js';

export function random(host: WasmHost, request: RandomRequest): WasmBuffer {
  const { spec } = request;
  const out = host.newBuffer('float32', request.size);
  if (out.size > 0) {
    const [p0, p1] = spec.kind === 'uniform' ? [spec.low, spec.high] : spec.kind === 'normal' ? [spec.mean, spec.std] : [spec.p, 0];
    host.exports.random(host.codes.random[spec.kind], out.address, out.size, request.key[0] | 0, request.key[1] | 0, p0, p1);
  }
  return out;
}
