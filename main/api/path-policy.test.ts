/**
 * The path policy at the API's edge (main/store/path-policy.ts): the calls that were reproduced
 * reading /proc, hanging on a named pipe, spinning in /proc and importing the app's own cache
 * are refused with a message, at once, and change nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import { openDatabase } from '../store/db.ts';
import { DatasetStore } from '../store/datasets.ts';
import { JOB_PATH_FIELDS } from '../jobs/input-paths.ts';
import { jobInputSchemas, type JobKind } from '../contract/index.ts';
import { absolutePath } from '../contract/schemas.ts';
import { openService, type Service } from './service.ts';

const linux = process.platform === 'linux';

/** What a call threw, or fails the test: the call must be refused, not hang. */
async function refusal(call: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the call did not answer within 5 s')), 5000));
  try {
    await Promise.race([call(), timeout]);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('the call was accepted');
}

describe('paths crossing the API', () => {
  const dir = tempDir();
  let service: Service;
  beforeAll(() => {
    service = openService({ dataDir: join(dir.path, 'data'), backend: 'wasm' });
    const db = openDatabase(service.dbPath);
    new DatasetStore(db).ensure({ id: 'd', folder: join(dir.path, 'pictures'), imageSize: 64, minSize: 8 });
    db.close();
  });
  afterAll(async () => {
    await service.close();
    dir.remove();
  });

  it.skipIf(!linux)('datasets.captions does not read /proc, nor repeat a file in its errors', async () => {
    const error = await refusal(() => service.call('datasets.captions', { dataset: 'd', file: '/proc/self/environ', format: 'csv' }));
    expect(error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/\/proc file system/) });
    const environ = readFileSync('/proc/self/environ', 'utf8').split('\0')[0]!;
    expect(error.message).not.toContain(environ);
  });

  it.skipIf(!linux)('models.add refuses a folder with a named pipe for a model file, without blocking', async () => {
    const folder = join(dir.path, 'clip');
    mkdirSync(join(folder, 'onnx'), { recursive: true });
    writeFileSync(join(folder, 'config.json'), '{}');
    execFileSync('mkfifo', [join(folder, 'onnx', 'vision_model.onnx')]);
    const error = await refusal(() => service.call('models.add', { folder }));
    expect(error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/vision_model\.onnx is a named pipe/) });
    expect((await service.call('models.list', {})).map((m) => m.id)).not.toContain('clip');
  });

  it.skipIf(!linux)('jobs.start refuses an output folder in /proc (a recursive mkdir there never returns) and creates no job', async () => {
    const before = (await service.call('jobs.list', { limit: 1000 })).length;
    const error = await refusal(() => service.call('jobs.start', { kind: 'shapes-generate', input: { n: 1, out: '/proc/self/x' } }));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'input.out' });
    expect((await service.call('jobs.list', { limit: 1000 })).length).toBe(before);
  });

  it('dataset-import refuses a link to the data folder (its own cached crops)', async () => {
    const link = join(dir.path, 'link-to-data');
    symlinkSync(service.dataDir, link);
    const job = await service.call('jobs.start', { kind: 'dataset-import', input: { dataset: 'loop', folder: link } });
    let done = await service.call('jobs.get', { id: job.id });
    for (let i = 0; i < 600 && ['queued', 'running'].includes(done.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      done = await service.call('jobs.get', { id: job.id });
    }
    expect(done).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/inside Lafite's own data folder/) } });
  });

  it('lists every absolute-path field of every job kind for the policy', () => {
    const pattern = (absolutePath as unknown as { _zod: { def: { checks: Array<{ _zod: { def: { pattern?: RegExp } } }> } } })._zod.def.checks[0]!._zod.def.pattern!.source;
    const pathFields = (kind: JobKind): string[] => {
      const shape = (jobInputSchemas[kind] as unknown as { shape: Record<string, unknown> }).shape;
      return Object.entries(shape)
        .filter(([, field]) => JSON.stringify((field as { toJSONSchema?: () => unknown }).toJSONSchema?.() ?? {}).includes(JSON.stringify(pattern).slice(1, -1)))
        .map(([name]) => name);
    };
    for (const kind of Object.keys(jobInputSchemas) as JobKind[]) {
      expect([kind, Object.keys(JOB_PATH_FIELDS[kind] ?? {}).sort()]).toEqual([kind, pathFields(kind).sort()]);
    }
  });
});
