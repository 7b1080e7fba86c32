import { describe, expect, it } from 'vitest';
import { BACKEND_IDS } from '../contract/index.ts';
import { initBackend, isSoftwareAdapter, parseBackendId, probeBackend, probeBackends, SOFTWARE_OPT_IN, softwareWebGpuOptedIn, tf } from './backend.ts';

describe('backend selection', () => {
  it('probes every candidate in the order of ARCHITECTURE.md, with a reason for each unavailable one', async () => {
    const statuses = await probeBackends();
    expect(statuses.map((s) => s.id)).toEqual([...BACKEND_IDS]);
    for (const status of statuses) {
      if (!status.available) expect(status.reason).toMatch(/^(not installed|no GPU|failed to load)/);
    }
    // wasm and cpu ship with the project: they must load on any machine.
    expect(statuses.find((s) => s.id === 'wasm')?.available).toBe(true);
    expect(statuses.find((s) => s.id === 'cpu')?.available).toBe(true);
  });

  it('picks the first available backend and makes it current', async () => {
    const statuses = await probeBackends();
    const chosen = await initBackend();
    expect(chosen.id).toBe(statuses.find((s) => s.available)?.id);
    expect(tf.getBackend()).toBe(chosen.id === 'node' || chosen.id === 'node-gpu' ? 'tensorflow' : chosen.id);
  });

  it('forces a backend by name', async () => {
    expect((await initBackend('cpu')).id).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await initBackend('wasm')).id).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('fails clearly when a forced backend cannot load', async () => {
    const statuses = await probeBackends();
    const missing = statuses.find((s) => !s.available);
    if (!missing) return; // every backend works on this machine: nothing to check
    await expect(initBackend(missing.id)).rejects.toThrow(`backend '${missing.id}' cannot be used: ${missing.reason}`);
  });

  it('rejects unknown names, listing the known ones', () => {
    expect(() => parseBackendId('cuda')).toThrow(/unknown backend 'cuda': choose one of node-gpu, webgpu, node, wasm, cpu/);
    expect(parseBackendId(undefined)).toBeUndefined();
    expect(parseBackendId('wasm')).toBe('wasm');
  });

  it('uses a software WebGPU adapter only when LAFITE_WEBGPU_SOFTWARE=1 opts in, and says so where webgpu is unavailable', async () => {
    expect(softwareWebGpuOptedIn({ [SOFTWARE_OPT_IN]: '1' })).toBe(true);
    for (const value of [undefined, '', '0', 'true', 'yes']) expect(softwareWebGpuOptedIn({ [SOFTWARE_OPT_IN]: value })).toBe(false);
    if (softwareWebGpuOptedIn()) return; // opted in for this whole run: webgpu.test.ts covers that side
    const webgpu = await probeBackend('webgpu');
    if (!webgpu.available) expect(webgpu.reason).toMatch(/a software adapter is never used by default, .*LAFITE_WEBGPU_SOFTWARE=1 opts in/);
    else expect(isSoftwareAdapter({ device: webgpu.device })).toBe(false);
  });

  it("tells software rasterizers from GPUs by the adapter's info", () => {
    expect(isSoftwareAdapter({ vendor: '', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'google', device: 'SwiftShader Device (Subzero)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', device: 'anything', isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' })).toBe(false);
  });
});
