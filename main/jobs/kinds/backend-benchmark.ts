/**
 * Job kind `backend-benchmark`: times matrix products on a compute backend, with progress,
 * cancel, and resume from the repeats already timed.
 */
import { initBackend } from '../../engine/backend.ts';
import { matMulFlops, timeMatMul } from '../../engine/matmul-benchmark.ts';
import type { JobHandler } from '../job-kind.ts';

interface State {
  backend: string;
  /** Milliseconds of each product timed so far. */
  timingsMs: number[];
}

export interface BackendBenchmarkResult {
  backend: string;
  device?: string;
  size: number;
  repeats: number;
  medianMs: number;
  gflops: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const backendBenchmark: JobHandler<'backend-benchmark', State> = {
  async run(input, job) {
    const backend = await initBackend(input.backend ?? job.backend);
    const resumed = job.resumeState?.backend === backend.id ? job.resumeState.timingsMs : [];
    const timingsMs = [...resumed];
    await timeMatMul(input.size, 0); // warm-up: kernels compile on first use
    while (timingsMs.length < input.repeats) {
      job.throwIfCancelled();
      const { ms, gflops } = await timeMatMul(input.size, timingsMs.length + 1);
      timingsMs.push(ms);
      job.checkpoint({ backend: backend.id, timingsMs });
      job.progress({
        fraction: timingsMs.length / input.repeats,
        message: `matMul ${input.size}³ on ${backend.id}: ${gflops.toPrecision(3)} GFLOP/s`,
        step: timingsMs.length,
        total: input.repeats,
        metrics: { gflops },
      });
    }
    const medianMs = median(timingsMs);
    const result: BackendBenchmarkResult = {
      backend: backend.id,
      size: input.size,
      repeats: input.repeats,
      medianMs,
      gflops: matMulFlops(input.size) / (medianMs * 1e6),
    };
    if (backend.device) result.device = backend.device;
    return result;
  },
};
