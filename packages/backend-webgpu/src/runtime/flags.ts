/**
 * WebGPU's flag values, fixed by the specification. Written out because in Node (Dawn) the
 * `GPUBufferUsage`, `GPUShaderStage` and `GPUMapMode` globals do not exist unless someone installs
 * them, and this backend does not touch the global scope.
 */
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const SHADER_STAGE_COMPUTE = 0x4;
export const MAP_MODE_READ = 0x0001;
