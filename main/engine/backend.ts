/**
 * Chooses the TensorFlow.js compute backend at run time, in the order of ARCHITECTURE.md
 * (Compute backends): CUDA (tfjs-node-gpu) → WebGPU on Dawn → tfjs-node (CPU, native) →
 * wasm (XNNPACK) → the pure JavaScript cpu backend. `LAFITE_BACKEND` or `--backend` forces one.
 *
 * @example
 *   const { id } = await initBackend();          // e.g. 'wasm' on a machine with no GPU
 *   const statuses = await probeBackends();       // every candidate, with the reason where unavailable
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import type { BackendId, BackendStatus } from '../contract/index.ts';
import { unavailable } from '../contract/errors.ts';
import { parseBackendId } from './backend-id.ts';
import { registerWasmKernels, registerWebGpuKernels } from './kernels/index.ts';

export { parseBackendId };

// tfjs warns on stderr that tfjs-node would be faster; `lafite info` says that better.
tf.env().set('PROD', true);

interface Candidate {
  id: BackendId;
  /** The npm package that provides it. */
  package: string;
  /** The name tfjs registers the backend under. */
  tfjsName: string;
  /** Loads the backend; resolves with the device name, or rejects with the reason it cannot be used. */
  load(): Promise<string | undefined>;
}

class Unusable extends Error {}

/** Imports a package, telling "not installed" apart from "installed but failed to load". */
async function importPackage(name: string): Promise<unknown> {
  try {
    return await import(/* @vite-ignore */ name);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(name)) {
      throw new Unusable(`not installed (npm package ${name})`);
    }
    throw new Unusable(`failed to load: ${message.split('\n')[0]}`);
  }
}

/** The first NVIDIA GPU that the driver lists, if any: tfjs-node-gpu cannot tell us itself. */
function nvidiaDevice(): string | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    return out
      .split('\n')
      .find((line) => line.startsWith('GPU'))
      ?.trim();
  } catch {
    return undefined;
  }
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;

/**
 * `LAFITE_WEBGPU_SOFTWARE=1`: with no hardware adapter, run the webgpu backend on Dawn's
 * OpenGL ES backend over Mesa's llvmpipe (compatibility mode). It exists to test the GPU code
 * path on machines without a GPU (CI); it is never chosen by default, since it is no faster
 * than the CPU backends (ENVIRONMENT.md) and would only slow training down.
 */
export const SOFTWARE_OPT_IN = 'LAFITE_WEBGPU_SOFTWARE';
export const softwareWebGpuOptedIn = (env: NodeJS.ProcessEnv = process.env): boolean => env[SOFTWARE_OPT_IN] === '1';
/** Appended to the reason webgpu is unavailable, so `lafite info` says why a software adapter is not used. */
const SOFTWARE_NOTE = `a software adapter is never used by default, being no faster than wasm; ${SOFTWARE_OPT_IN}=1 opts in to test the GPU code path`;
/** Debian's packages for the software adapter (`.ci/run` installs them). */
export const SOFTWARE_PACKAGES = 'libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri';

interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  limits: Record<string, number>;
  requestDevice(descriptor?: { requiredLimits?: Record<string, number> }): Promise<unknown>;
}

interface GpuLike {
  requestAdapter(options?: object): Promise<GpuAdapterLike | null>;
}

interface Dawn {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** On Linux Dawn reaches GPUs through Vulkan; without the loader it can only print a warning. */
function vulkanLoaderMissing(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const cache = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    return !cache.includes('libvulkan.so.1');
  } catch {
    return false; // no ldconfig to ask: let Dawn try
  }
}

const adapterName = (info: GpuAdapterInfoLike): string => [info.vendor, info.description || info.device || info.architecture].filter(Boolean).join(' ') || 'unknown adapter';

/** Whether an adapter is a software rasterizer rather than a GPU. */
export const isSoftwareAdapter = (info: GpuAdapterInfoLike): boolean =>
  Boolean(info.isFallbackAdapter) || SOFTWARE_ADAPTER.test([info.vendor, info.architecture, info.device, info.description].join(' '));

/** A hardware adapter through Vulkan, Metal or D3D12, or the reason there is none. */
async function hardwareGpu(dawn: Dawn): Promise<{ gpu: GpuLike; name: string }> {
  if (vulkanLoaderMissing()) throw new Unusable('no GPU adapter: the Vulkan loader (libvulkan.so.1) is not installed');
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Unusable('no GPU adapter: Dawn found no Vulkan, Metal or D3D12 device');
  const info = adapter.info ?? {};
  if (isSoftwareAdapter(info)) throw new Unusable(`no GPU adapter: only a software rasterizer (${adapterName(info)})`);
  return { gpu, name: adapterName(info) };
}

/**
 * Dawn's OpenGL ES backend over Mesa's llvmpipe. OpenGL ES only offers WebGPU's
 * compatibility feature level, which tfjs does not ask for: the `navigator.gpu` handed to it
 * asks for that level, and raises the storage buffers per shader stage from compatibility's
 * default (4) to what the adapter allows, so kernels with several inputs compile.
 */
async function softwareGpu(dawn: Dawn): Promise<{ gpu: GpuLike; name: string }> {
  process.env.EGL_PLATFORM ??= 'surfaceless'; // Mesa's EGL with no display server
  const base = dawn.create(['backend=opengles']);
  const probe = await base.requestAdapter({ featureLevel: 'compatibility' });
  if (!probe) throw new Unusable(`no GPU adapter, and no software adapter: Dawn's OpenGL ES backend found no EGL device (Debian: apt-get install ${SOFTWARE_PACKAGES})`);
  const gpu: GpuLike = {
    async requestAdapter(options?: object) {
      const adapter = await base.requestAdapter({ ...options, featureLevel: 'compatibility' });
      if (!adapter) return null;
      const requestDevice = adapter.requestDevice.bind(adapter);
      const maxStorageBuffersPerShaderStage = adapter.limits.maxStorageBuffersPerShaderStage!;
      adapter.requestDevice = (descriptor = {}) => requestDevice({ ...descriptor, requiredLimits: { ...descriptor.requiredLimits, maxStorageBuffersPerShaderStage } });
      return adapter;
    },
  };
  const info = probe.info ?? {};
  return { gpu, name: `${info.device || adapterName(info)} (${info.description ?? 'OpenGL ES'}; software adapter, compatibility mode, ${SOFTWARE_OPT_IN}=1)` };
}

/** Installs Dawn's WebGPU as `navigator.gpu` when it finds a hardware adapter (or, opted in, the software one). */
async function loadWebGpu(): Promise<string> {
  const dawn = (await importPackage('webgpu')) as Dawn;
  let found: { gpu: GpuLike; name: string };
  try {
    found = await hardwareGpu(dawn);
  } catch (error) {
    if (!(error instanceof Unusable)) throw error;
    if (!softwareWebGpuOptedIn()) throw new Unusable(`${error.message} (${SOFTWARE_NOTE})`);
    found = await softwareGpu(dawn);
  }
  Object.assign(globalThis, dawn.globals);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: found.gpu, configurable: true });
  else (globalThis as { navigator?: object }).navigator = { gpu: found.gpu };
  // A bundled entry (bench/gpu.ts packed by ../shared/tools/gpu-pack) imports it itself:
  // a bundler cannot follow this import by variable name.
  if (!tf.findBackendFactory('webgpu')) await importPackage('@tensorflow/tfjs-backend-webgpu');
  registerWebGpuKernels();
  return found.name;
}

const CANDIDATES: readonly Candidate[] = [
  {
    id: 'node-gpu',
    package: '@tensorflow/tfjs-node-gpu',
    tfjsName: 'tensorflow',
    async load() {
      // Look for a device first: loading the CUDA build where there is none only wastes time.
      const device = nvidiaDevice();
      if (!device) throw new Unusable('no GPU: nvidia-smi lists no NVIDIA device');
      await importPackage('@tensorflow/tfjs-node-gpu');
      return device;
    },
  },
  { id: 'webgpu', package: 'webgpu', tfjsName: 'webgpu', load: loadWebGpu },
  {
    id: 'node',
    package: '@tensorflow/tfjs-node',
    tfjsName: 'tensorflow',
    async load() {
      await importPackage('@tensorflow/tfjs-node');
      return undefined;
    },
  },
  {
    id: 'wasm',
    package: '@tensorflow/tfjs-backend-wasm',
    tfjsName: 'wasm',
    async load() {
      await importPackage('@tensorflow/tfjs-backend-wasm');
      registerWasmKernels();
      return undefined;
    },
  },
  { id: 'cpu', package: '@tensorflow/tfjs', tfjsName: 'cpu', load: async () => undefined },
];

/** Probe results are kept per process: loading a native backend twice is not possible. */
const probed = new Map<BackendId, Promise<BackendStatus>>();

async function probeOne(candidate: Candidate): Promise<BackendStatus> {
  const status: BackendStatus = { id: candidate.id, package: candidate.package, available: false };
  try {
    const device = await candidate.load();
    // Initialising is the real test (the wasm binary, the GPU device).
    if (!(await tf.setBackend(candidate.tfjsName))) throw new Unusable('failed to load: the backend did not initialise');
    status.available = true;
    if (device) status.device = device;
  } catch (error) {
    status.reason = error instanceof Unusable ? error.message : `failed to load: ${(error as Error).message?.split('\n')[0]}`;
  }
  return status;
}

function probe(candidate: Candidate): Promise<BackendStatus> {
  let status = probed.get(candidate.id);
  if (!status) {
    status = probeOne(candidate);
    probed.set(candidate.id, status);
  }
  return status;
}

/** Probing makes each backend current in turn: put back the one in use. */
async function restoreActive(): Promise<void> {
  if (active) await tf.setBackend(CANDIDATES.find((c) => c.id === active!.id)!.tfjsName);
}

/** One candidate: whether it is available here and, where not, why. */
export async function probeBackend(id: BackendId): Promise<BackendStatus> {
  const status = await probe(CANDIDATES.find((c) => c.id === id)!);
  await restoreActive();
  return status;
}

/** Every candidate with whether it is available here and, where not, why. */
export async function probeBackends(): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const candidate of CANDIDATES) statuses.push(await probe(candidate));
  await restoreActive();
  return statuses;
}

let active: BackendStatus | undefined;

/**
 * Makes a backend current: the forced one (or fails saying why it cannot load), else the
 * first available in the fixed order.
 */
export async function initBackend(forced?: BackendId): Promise<BackendStatus> {
  const wanted = forced ?? parseBackendId(process.env.LAFITE_BACKEND);
  if (active && (!wanted || active.id === wanted)) return active;
  const order = wanted ? CANDIDATES.filter((c) => c.id === wanted) : CANDIDATES;
  for (const candidate of order) {
    const status = await probe(candidate);
    if (!status.available) continue;
    await tf.setBackend(candidate.tfjsName);
    await tf.ready();
    active = status;
    return status;
  }
  const reason = wanted ? (await probe(CANDIDATES.find((c) => c.id === wanted)!)).reason : 'no backend loaded';
  throw unavailable(`backend '${wanted ?? 'any'}' cannot be used: ${reason}`);
}

/** The backend in use, initialising the default one if none is yet. */
export async function activeBackend(): Promise<BackendStatus> {
  return active ?? initBackend();
}

export { tf };
