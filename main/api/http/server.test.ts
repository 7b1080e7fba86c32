import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/temp.ts';
import type { ApiEvent } from '../../contract/index.ts';
import { openService, type Service } from '../service.ts';
import { startServer, type RunningServer } from './server.ts';

/** A raw request, so that headers (Host, Cookie) are exactly what the test says. */
function raw(server: RunningServer, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('HTTP server', () => {
  const dir = tempDir();
  let service: Service;
  let server: RunningServer;
  const auth = (): Record<string, string> => ({ Authorization: `Bearer ${server.token}` });

  beforeAll(async () => {
    mkdirSync(`${dir.path}/renderer`);
    writeFileSync(`${dir.path}/renderer/index.html`, '<!doctype html><title>t</title>');
    writeFileSync(`${dir.path}/secret.txt`, 'outside the renderer');
    service = openService({ dataDir: `${dir.path}/data`, backend: 'wasm' });
    server = await startServer(service, { port: 0, rendererDir: `${dir.path}/renderer`, maxBodyBytes: 4096 });
  });
  afterAll(async () => {
    await server.close();
    await service.close();
    dir.remove();
  });

  it('binds 127.0.0.1 and prints a URL with a long random token', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses requests without the right token', async () => {
    const attempts: Record<string, string>[] = [{}, { Authorization: 'Bearer nope' }, { Cookie: 'lafite_token=nope' }];
    for (const headers of attempts) {
      const res = await raw(server, '/api/call/info', { method: 'POST', headers });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    expect((await raw(server, '/')).status).toBe(401);
    expect((await raw(server, '/?token=wrong')).status).toBe(401);
  });

  it('sets an HttpOnly cookie on the tokened page load, which then authorises calls', async () => {
    const page = await raw(server, `/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect(cookie).toBe(`lafite_token_${server.port}=${server.token}`); // per port: two servers keep their own
    const res = await raw(server, '/api/call/info', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, result: { backend: 'wasm', schemaVersion: expect.any(Number) } });
  });

  it('answers no API request a page of another origin could make, even with the cookie', async () => {
    const cookie = `lafite_token_${server.port}=${server.token}`;
    const start = JSON.stringify({ kind: 'backend-benchmark', input: { size: 16, repeats: 1 } });
    const before = service.call('jobs.list', { limit: 1000 });
    // A form post or a no-cors fetch: the cookie and a text/plain (or no) body.
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const headers: Record<string, string> = { Cookie: cookie, ...(contentType ? { 'Content-Type': contentType } : {}) };
      expect((await raw(server, '/api/call/jobs.start', { method: 'POST', headers, body: start })).status).toBe(415);
    }
    // What browsers say of a page on another local port, whatever else the request carries.
    const foreign: Record<string, string>[] = [{ Origin: 'http://127.0.0.1:1' }, { Origin: 'null' }, { 'Sec-Fetch-Site': 'same-site' }, { 'Sec-Fetch-Site': 'cross-site' }];
    for (const headers of foreign) {
      for (const credentials of [{ Cookie: cookie }, auth()]) {
        const res = await raw(server, '/api/call/jobs.start', { method: 'POST', headers: { ...credentials, ...headers, 'Content-Type': 'application/json' }, body: start });
        expect(res.status).toBe(403);
      }
    }
    expect((await service.call('jobs.list', { limit: 1000 })).length).toBe((await before).length);
    // The page itself: same origin.
    const own = { Cookie: cookie, Origin: `http://127.0.0.1:${server.port}`, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' };
    expect((await raw(server, '/api/call/info', { method: 'POST', headers: own })).status).toBe(200);
  });

  it('answers malformed percent-encoding with 400, not 500', async () => {
    for (const path of ['/%', '/api/call/%E0%A4%A', '/a%zz']) {
      const res = await raw(server, path, { method: path.startsWith('/api/') ? 'POST' : 'GET', headers: auth() });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
  });

  it('refuses foreign Host headers (DNS rebinding)', async () => {
    const res = await raw(server, '/api/call/info', { method: 'POST', headers: { ...auth(), Host: 'evil.example:80' } });
    expect(res.status).toBe(401);
  });

  it('maps errors to statuses with a message naming the field', async () => {
    const bad = await raw(server, '/api/call/jobs.list', { method: 'POST', headers: auth(), body: JSON.stringify({ limit: 'ten' }) });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatchObject({ code: 'invalid_input', field: 'limit', message: expect.stringContaining("field 'limit'") });
    const unknown = await raw(server, '/api/call/nope', { method: 'POST', headers: auth() });
    expect(unknown.status).toBe(404);
    const notJson = await raw(server, '/api/call/info', { method: 'POST', headers: auth(), body: '{not json' });
    expect(notJson.status).toBe(400);
    const huge = await raw(server, '/api/call/info', { method: 'POST', headers: auth(), body: JSON.stringify({ x: 'y'.repeat(10_000) }) });
    expect(huge.status).toBe(413);
    const missing = await raw(server, '/api/call/jobs.get', { method: 'POST', headers: auth(), body: JSON.stringify({ id: '00000000-0000-0000-0000-000000000000' }) });
    expect(missing.status).toBe(404);
  });

  it('does not serve files outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const res = await raw(server, path, { headers: auth() });
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('outside the renderer');
    }
  });

  it('streams job progress as server-sent events', async () => {
    const events: ApiEvent[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: auth() }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream');
        let buffer = '';
        res.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          for (const frame of buffer.split('\n\n').slice(0, -1)) {
            if (frame.startsWith('data: ')) events.push(JSON.parse(frame.slice(6)) as ApiEvent);
          }
          buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
          if (events.some((e) => e.job.status === 'succeeded')) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (error) => (events.length ? resolve() : reject(error)));
      req.end();
    });
    await new Promise((r) => setTimeout(r, 100));
    const start = await raw(server, '/api/call/jobs.start', {
      method: 'POST',
      headers: auth(),
      body: JSON.stringify({ kind: 'backend-benchmark', input: { size: 32, repeats: 2 } }),
    });
    expect(start.status).toBe(200);
    await done;
    expect(events.map((e) => e.job.status)).toEqual(expect.arrayContaining(['running', 'succeeded']));
    expect(events.some((e) => e.job.progress?.step === 2)).toBe(true);
  });
});
