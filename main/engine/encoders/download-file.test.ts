import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/temp.ts';
import { downloadFile } from './download-file.ts';
import { startFileServer, type FileServer } from './testing/file-server.ts';

describe('downloadFile', () => {
  const dir = tempDir('lafite-fetch-');
  const body = Uint8Array.from({ length: 5000 }, (_, i) => i % 251);
  let server: FileServer;
  beforeAll(async () => {
    server = await startFileServer({ '/f.bin': body });
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  it('downloads, resumes from the bytes on disk, and treats 416 on a complete file as done', async () => {
    const dest = join(dir.path, 'a', 'f.bin');
    const seen: number[] = [];
    expect(await downloadFile(`${server.url}/f.bin`, dest, { onBytes: (n, total) => (seen.push(n), expect(total).toBe(5000)) })).toEqual({ bytes: 5000, resumedFrom: 0 });
    expect(seen.at(-1)).toBe(5000);
    writeFileSync(dest, body.subarray(0, 1234));
    expect(await downloadFile(`${server.url}/f.bin`, dest)).toEqual({ bytes: 5000, resumedFrom: 1234 });
    expect(server.requests.at(-1)!.range).toBe('bytes=1234-');
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(await downloadFile(`${server.url}/f.bin`, dest)).toEqual({ bytes: 5000, resumedFrom: 5000 });
  });

  it('fails clearly on HTTP errors and unreachable servers, and rejects with cancelled when aborted', async () => {
    await expect(downloadFile(`${server.url}/missing`, join(dir.path, 'm'))).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('HTTP 404') });
    await expect(downloadFile('http://127.0.0.1:1/x', join(dir.path, 'x'))).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('cannot download http://127.0.0.1:1/x'),
    });
    await expect(downloadFile(`${server.url}/f.bin`, join(dir.path, 'c'), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'cancelled' });
  });
});
