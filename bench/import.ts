/**
 * Dataset import throughput: N generated ShapesWorld images (10,000 by default, or
 * LAFITE_BENCH_IMPORT_N) imported through the service as a real `dataset-import` job, then
 * imported again (nothing new: the cost of a re-run). Peak memory is the process's resident
 * set, sampled every 50 ms while the job runs (the job's worker thread is in this process).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { DatasetImportResult, JobRecord } from '../main/contract/index.ts';
import { openService, type Service } from '../main/api/service.ts';
import { generateShapes } from '../main/engine/shapes/index.ts';

export interface ImportFigures {
  images: number;
  imageSide: number;
  cropSize: number;
  generateSeconds: number;
  firstImport: { seconds: number; imagesPerSecond: number; peakRssMiB: number; rssBeforeMiB: number };
  reImport: { seconds: number; unchanged: number };
}

const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);

async function writeShapes(folder: string, n: number, side: number): Promise<void> {
  mkdirSync(folder, { recursive: true });
  for (const sample of generateShapes({ n, size: side, seed: 7 })) {
    const png = await sharp(sample.pixels, { raw: { width: side, height: side, channels: 3 } })
      .png()
      .toBuffer();
    writeFileSync(join(folder, `${String(sample.index).padStart(5, '0')}.png`), png);
  }
}

/** Runs one import job to the end, sampling the peak resident memory meanwhile. */
async function timedImport(service: Service, input: Record<string, unknown>): Promise<{ result: DatasetImportResult; seconds: number; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  const started = performance.now();
  const job = await service.call('jobs.start', { kind: 'dataset-import', input });
  const done = await new Promise<JobRecord>((resolve) => {
    const stop = service.subscribe((event) => {
      if (event.job.id !== job.id || event.job.status === 'running' || event.job.status === 'queued') return;
      stop();
      resolve(event.job);
    });
  });
  clearInterval(sampler);
  if (done.status !== 'succeeded') throw new Error(`import ${done.status}: ${done.error?.message}`);
  return { result: done.result as DatasetImportResult, seconds: (performance.now() - started) / 1000, peakRss };
}

export async function importFigures(n = Number(process.env.LAFITE_BENCH_IMPORT_N ?? 10_000), side = 64, cropSize = 64): Promise<ImportFigures> {
  const root = join(tmpdir(), `lafite-bench-import-${process.pid}`);
  const folder = join(root, 'images');
  const service = openService({ dataDir: join(root, 'data') });
  try {
    const generateStarted = performance.now();
    await writeShapes(folder, n, side);
    const generateSeconds = (performance.now() - generateStarted) / 1000;
    process.stderr.write(`import: wrote ${n} images in ${generateSeconds.toFixed(1)} s\n`);
    const input = { dataset: 'bench', folder, imageSize: cropSize };
    const rssBefore = process.memoryUsage.rss();
    const first = await timedImport(service, input);
    process.stderr.write(`import: ${n} images in ${first.seconds.toFixed(1)} s (${(n / first.seconds).toFixed(0)} images/s)\n`);
    const again = await timedImport(service, input);
    return {
      images: n,
      imageSide: side,
      cropSize,
      generateSeconds,
      firstImport: { seconds: first.seconds, imagesPerSecond: n / first.seconds, peakRssMiB: mib(first.peakRss), rssBeforeMiB: mib(rssBefore) },
      reImport: { seconds: again.seconds, unchanged: again.result.unchanged },
    };
  } finally {
    await service.close();
    rmSync(root, { recursive: true, force: true });
  }
}
