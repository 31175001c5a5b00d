/** The machine a Node run measured: CPU, cores, memory, OS, Node and the peers' versions. */
import { readFileSync } from 'node:fs';
import { cpus, platform, release, totalmem, arch } from 'node:os';
import { createRequire } from 'node:module';
import type { MachineInfo } from '../core/types.js';

const require = createRequire(import.meta.url);

function version(pkg: string): string {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text);
    if (pretty) return `${pretty[1]!} (${platform()} ${release()} ${arch()})`;
  } catch {
    // not Linux
  }
  return `${platform()} ${release()} ${arch()}`;
}

export const PEER_PACKAGES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  'onnxruntime-node',
  'brain.js',
  'playwright-core',
];

export function describeMachine(extra: Partial<MachineInfo> = {}): MachineInfo {
  const list = cpus();
  const versions: Record<string, string> = {};
  for (const pkg of PEER_PACKAGES) versions[pkg] = version(pkg);
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: osName(),
    node: process.version,
    versions,
    ...extra,
  };
}
