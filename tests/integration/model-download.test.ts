/**
 * `model-download` against a local HTTP server serving a generated CLIP folder: the registry
 * path end to end through the CLI (LAFITE_MODEL_MIRROR), a checksum mismatch that installs
 * nothing, and a dropped connection that a second run resumes with a Range request.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../main/contract/index.ts';
import { openService, type Service } from '../../main/api/service.ts';
import { startFileServer, type FileServer } from '../../main/engine/encoders/testing/file-server.ts';
import { writeTinyClipFolder } from '../../main/engine/encoders/testing/tiny-clip.ts';
import { MODEL_REGISTRY } from '../../main/engine/encoders/registry.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

import { userModels as mine } from '../helpers/models.ts';

const FILES = MODEL_REGISTRY[0].files.map((f) => f.path);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const lastJsonLine = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

/** Waits for a job to end (succeeded, failed, cancelled). */
function finished(service: Service, id: string): Promise<JobRecord> {
  return new Promise((resolve) => {
    const check = (job: JobRecord): void => {
      if (['succeeded', 'failed', 'cancelled', 'interrupted'].includes(job.status)) {
        unsubscribe();
        resolve(job);
      }
    };
    const unsubscribe = service.subscribe((event) => event.job.id === id && check(event.job));
    void service.call('jobs.get', { id }).then(check);
  });
}

describe('model download', () => {
  const dir = tempDir('lafite-download-');
  const source = join(dir.path, 'source');
  const bytes = new Map<string, Uint8Array>();
  let server: FileServer;

  beforeAll(async () => {
    await writeTinyClipFolder(source);
    const served: Record<string, Uint8Array> = {};
    for (const path of FILES) {
      bytes.set(path, readFileSync(join(source, path)));
      served[`/Xenova/clip-vit-base-patch32/resolve/main/${path}`] = bytes.get(path)!;
      served[`/files/${path}`] = bytes.get(path)!;
    }
    server = await startFileServer(served);
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  const fileList = (overrides: Record<string, string> = {}) =>
    FILES.map((path) => ({ path, url: `${server.url}/files/${path}`, sha256: overrides[path] ?? sha256(bytes.get(path)!) }));

  it('downloads a registry model from the mirror through the CLI, lists it, and removes its files', async () => {
    const data = join(dir.path, 'cli-data');
    const env = { LAFITE_MODEL_MIRROR: server.url };
    const result = await runCli(['--json', '--data-dir', data, 'model', 'download', 'clip-vit-b32'], env);
    expect(result.code, result.stderr).toBe(0);
    const installed = join(data, 'models', 'clip-vit-b32');
    expect(lastJsonLine(result.stdout)).toMatchObject({ model: { id: 'clip-vit-b32', source: 'download', path: installed, dim: 6, origin: { registryId: 'clip-vit-b32' } } });
    for (const path of FILES) expect(readFileSync(join(installed, path)).equals(bytes.get(path)!)).toBe(true);
    expect(readdirSync(join(data, 'models'))).toEqual(['clip-vit-b32']); // no .partial, no state file left
    expect(existsSync(join(installed, '.lafite-download.json'))).toBe(false);

    const list = await runCli(['--json', '--data-dir', data, 'model', 'list']);
    const models = mine(JSON.parse(list.stdout) as Array<{ id: string; source: string; files: Array<{ path: string; sha256: string }> }>);
    expect(models.map((m) => m.id)).toEqual(['clip-vit-b32']);
    expect(models[0]!.files.find((f) => f.path === 'onnx/vision_model.onnx')!.sha256).toBe(sha256(bytes.get('onnx/vision_model.onnx')!));

    const again = await runCli(['--json', '--data-dir', data, 'model', 'download', 'clip-vit-b32'], env);
    expect(again.code).toBe(4); // conflict: already installed

    const removed = await runCli(['--json', '--data-dir', data, 'model', 'remove', 'clip-vit-b32']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({ id: 'clip-vit-b32', deletedFiles: true });
    expect(existsSync(installed)).toBe(false);

    const unknown = await runCli(['--data-dir', data, 'model', 'download', 'clip-vit-h14'], env);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/no model 'clip-vit-h14' in the registry \(known: clip-vit-b32, clip-vit-b16\)/);
  });

  describe('through the service', () => {
    let service: Service;
    beforeAll(() => {
      service = openService({ dataDir: join(dir.path, 'data'), backend: 'cpu' });
    });
    afterAll(() => service.close());

    it('deletes a file whose sha256 does not match, names it with both hashes, and installs nothing', async () => {
      const wrong = 'f'.repeat(64);
      const job = await service.call('jobs.start', { kind: 'model-download', input: { id: 'corrupt', files: fileList({ 'tokenizer.json': wrong }) } });
      const done = await finished(service, job.id);
      expect(done.status).toBe('failed');
      expect(done.error?.message).toContain(
        `checksum mismatch for tokenizer.json (from ${server.url}/files/tokenizer.json): expected sha256 ${wrong}, got ${sha256(bytes.get('tokenizer.json')!)}`,
      );
      const models = join(service.dataDir, 'models');
      expect(existsSync(join(models, 'corrupt'))).toBe(false);
      expect(existsSync(join(models, 'corrupt.partial', 'tokenizer.json'))).toBe(false);
      expect(existsSync(join(models, 'corrupt.partial', 'onnx', 'vision_model.onnx'))).toBe(true); // verified files before it stay for a retry
      expect(mine(await service.call('models.list', {}))).toEqual([]);
    });

    it('resumes a file cut off mid-transfer with a Range request from the bytes already there', async () => {
      const path = 'onnx/vision_model.onnx';
      server.dropOnce(`/files/${path}`, 1000);
      const input = { id: 'resumed', files: fileList() };
      const first = await finished(service, (await service.call('jobs.start', { kind: 'model-download', input })).id);
      expect(first.status).toBe('failed');
      expect(first.error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('run it again to resume') });
      const partialFile = join(service.dataDir, 'models', 'resumed.partial', path);
      const kept = statSync(partialFile).size;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(bytes.get(path)!.length);

      const before = server.requests.length;
      const second = await finished(service, (await service.call('jobs.start', { kind: 'model-download', input })).id);
      expect(second.status, second.error?.message).toBe('succeeded');
      const ranged = server.requests.slice(before).filter((r) => r.path === `/files/${path}`);
      expect(ranged).toEqual([{ method: 'GET', path: `/files/${path}`, range: `bytes=${kept}-` }]);
      // Files finished by the first run are not fetched again.
      expect(server.requests.slice(before).some((r) => r.path === '/files/onnx/text_model.onnx')).toBe(false);
      const installed = join(service.dataDir, 'models', 'resumed', path);
      expect(readFileSync(installed).equals(bytes.get(path)!)).toBe(true);
      expect(second.result).toMatchObject({ model: { id: 'resumed', dim: 6 }, resumedBytes: expect.any(Number) });
      expect(mine(await service.call('models.list', {})).map((m) => m.id)).toEqual(['resumed']);
    });
  });
});
