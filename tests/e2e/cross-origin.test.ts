/**
 * Web mode against a page on another local port, in a real Chromium. Cookies ignore ports, so
 * once the user has opened the printed URL, the browser sends the token cookie along with any
 * request to the server, whoever makes it. A page served on another 127.0.0.1 port must still
 * not be able to start a job: not by a no-cors fetch with a text/plain JSON body, not by a
 * form post, not by a CORS fetch; with the cookie in the browser and without it. The server's
 * own page, with the cookie, still can.
 *
 *   npx vitest run tests/e2e/cross-origin.test.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../main/api/http/server.ts';
import { openService, type Service } from '../../main/api/service.ts';
import { CHROMIUM, hasChromium, launchChromium } from '../helpers/browser.ts';
import { tempDir } from '../helpers/temp.ts';

const START_JOB = JSON.stringify({ kind: 'backend-benchmark', input: { size: 16, repeats: 1 } });

if (!hasChromium) console.warn(`cross-origin.test.ts: skipping: ${CHROMIUM} is not installed`);

/** The attacker: a page on another local port that tries every request a page can make without reading the answer. */
function attackerPage(target: string): string {
  const call = `${target}/api/call/jobs.start`;
  return `<!doctype html><title>elsewhere</title>
<form id="form" method="POST" action="${call}" enctype="text/plain">
  <input name='{"kind":"backend-benchmark","input":{"size":16,"repeats":1},"x":"' value='"}'>
</form>
<script>
  window.attack = async () => {
    const body = ${JSON.stringify(START_JOB)};
    const tries = [
      fetch(${JSON.stringify(call)}, { method: 'POST', mode: 'no-cors', credentials: 'include', body }),
      fetch(${JSON.stringify(call)}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body }),
      fetch(${JSON.stringify(call)}, { method: 'POST', mode: 'cors', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body }),
    ];
    return Promise.allSettled(tries).then((all) => all.map((r) => r.status));
  };
</script>`;
}

describe.skipIf(!hasChromium)('a page on another local port (Chromium)', () => {
  const dir = tempDir();
  let service: Service;
  let server: RunningServer;
  let attacker: Server;
  let attackerUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(`${dir.path}/renderer`);
    writeFileSync(`${dir.path}/renderer/index.html`, '<!doctype html><title>lafite</title>');
    service = openService({ dataDir: `${dir.path}/data`, backend: 'wasm' });
    server = await startServer(service, { port: 0, rendererDir: `${dir.path}/renderer` });
    const page = attackerPage(`http://127.0.0.1:${server.port}`);
    attacker = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page);
    });
    await new Promise<void>((listening) => attacker.listen(0, '127.0.0.1', () => listening()));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((closed) => attacker?.close(closed));
    await server?.close();
    await service?.close();
    dir.remove();
  });

  const jobCount = async (): Promise<number> => (await service.call('jobs.list', { limit: 1000 })).length;

  /** Runs the attacker's fetches and its form post from `page`; resolves once all have been answered. */
  async function attackFrom(page: Page): Promise<void> {
    await page.goto(attackerUrl);
    await page.evaluate(() => (globalThis as unknown as { attack(): Promise<string[]> }).attack());
    const formAnswered = page.waitForResponse((response) => response.url().includes('/api/call/jobs.start') && response.request().method() === 'POST');
    // The page's own form (Node's types know no DOM: the page is typed only as far as used).
    await page.evaluate(() => (globalThis as unknown as { document: { forms: Array<{ submit(): void }> } }).document.forms[0]!.submit());
    await formAnswered;
  }

  it('cannot start a job with the cookie set by a visit to the printed URL', async () => {
    const context: BrowserContext = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    const cookies = await context.cookies(`http://127.0.0.1:${server.port}`);
    expect(cookies.some((c) => c.name.startsWith('lafite_token') && c.value === server.token)).toBe(true);
    // The server's own page, with only the cookie, may call the API (a positive control).
    const own = await page.evaluate(async () => {
      const res = await fetch('/api/call/jobs.list', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      return res.status;
    });
    expect(own).toBe(200);
    const before = await jobCount();
    await attackFrom(page);
    expect(await jobCount()).toBe(before);
    await context.close();
  });

  it('cannot start a job without the cookie either', async () => {
    const context = await browser.newContext();
    const before = await jobCount();
    await attackFrom(await context.newPage());
    expect(await jobCount()).toBe(before);
    await context.close();
  });
});
