/**
 * Web mode end to end: `lafite serve` serves the built renderer and the API; the token guards
 * both; a real Chromium opens the printed URL, sees the backend in the status bar, visits
 * every view, runs a small backend benchmark from the Jobs view, and logs no console errors
 * (a CSP violation would be one). Leaves a screenshot in test-results/web-shell.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/web.test.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = join(ROOT, 'test-results', 'web-shell.png');
/** The machine may have two cores and a cold start; everything waits this long. */
const TIMEOUT_MS = 60_000;

/** Each view: its nav entry and the heading it shows. */
const VIEWS = [
  { id: 'datasets', heading: 'Datasets' },
  { id: 'vocabulary', heading: 'Vocabulary & Templates' },
  { id: 'pseudo-captions', heading: 'Pseudo-captions' },
  { id: 'training', heading: 'Training' },
  { id: 'playground', heading: 'Playground' },
  { id: 'runs', heading: 'Runs' },
  { id: 'jobs', heading: 'Jobs' },
] as const;

const TERMINAL_STATUSES = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

interface ServeLine {
  url: string;
  host: string;
  port: number;
  token: string;
}

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`web.test.ts: skipping the browser part: ${CHROMIUM} is not installed`);

let server: ChildProcess | null = null;
let serve: ServeLine;
let origin: string;
let dataDir: string;
let browser: Browser | null = null;

/** Starts `lafite serve --json` and resolves with the line it prints. */
function startServer(dir: string): Promise<ServeLine> {
  const child = spawn(process.execPath, ['bin/lafite.mjs', 'serve', '--port', '0', '--json', '--data-dir', dir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`lafite serve printed no JSON line in ${TIMEOUT_MS} ms\n${stderr}`)), TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as ServeLine;
        if (typeof parsed.url !== 'string') return;
        clearTimeout(timer);
        resolveLine(parsed);
      } catch {
        // not the JSON line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lafite serve exited with ${code} before printing its URL\n${stderr}`));
    });
  });
}

function stopServer(): Promise<void> {
  const child = server;
  server = null;
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

function callInfo(headers: Record<string, string>): Promise<Response> {
  return fetch(`${origin}/api/call/info`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: '{}',
  });
}

/** Waits until a job's row shows a terminal status, and returns that status. */
async function waitForJobEnd(page: Page, jobId: string): Promise<string> {
  const status = page.locator(`[data-testid=job-row][data-job-id="${jobId}"] [data-testid=job-status]`);
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const text = (await status.textContent({ timeout: TIMEOUT_MS }))?.trim() ?? '';
    if (TERMINAL_STATUSES.has(text) || Date.now() > deadline) return text;
    await page.waitForTimeout(200);
  }
}

describe('web mode (lafite serve)', () => {
  let backend = '';

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'out/renderer/index.html'))) {
      throw new Error('out/renderer is not built: run `npx electron-vite build` first');
    }
    dataDir = mkdtempSync(join(tmpdir(), 'lafite-web-'));
    serve = await startServer(dataDir);
    origin = new URL(serve.url).origin;
  }, TIMEOUT_MS + 5_000);

  afterAll(async () => {
    await browser?.close();
    await stopServer();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('prints a URL that carries its token', () => {
    expect(serve.url).toBe(`http://${serve.host}:${serve.port}/?token=${serve.token}`);
    expect(serve.token.length).toBeGreaterThanOrEqual(16);
  });

  it('answers API calls only with the token', async () => {
    expect((await callInfo({})).status).toBe(401);
    expect((await callInfo({ Authorization: 'Bearer wrong-token' })).status).toBe(401);

    const response = await callInfo({ Authorization: `Bearer ${serve.token}` });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ok: boolean; result?: { backend?: unknown } };
    expect(body.ok).toBe(true);
    expect(typeof body.result?.backend).toBe('string');
    backend = body.result!.backend as string;
  }, TIMEOUT_MS);

  it('refuses the page and the event stream without the token', async () => {
    expect((await fetch(`${origin}/`)).status).toBe(401);
    const events = await fetch(`${origin}/api/events`);
    expect(events.status).toBe(401);
    await events.body?.cancel();
  }, TIMEOUT_MS);

  it.skipIf(!hasChromium)(
    'shows the shell, every view, and a benchmark job to the end, with no console errors',
    async () => {
      expect(backend, 'the API test runs first and reads the backend').not.toBe('');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));

      await page.goto(serve.url, { timeout: TIMEOUT_MS });
      const backendLabel = page.getByTestId('status-backend');
      await backendLabel.waitFor({ timeout: TIMEOUT_MS });
      expect((await backendLabel.textContent())?.trim()).toBe(backend);
      expect(page.url(), 'the token leaves the address bar').not.toContain('token=');

      for (const view of VIEWS) {
        await page.getByTestId(`nav-${view.id}`).click();
        await expect.poll(() => page.locator('main h1').textContent(), { timeout: TIMEOUT_MS }).toBe(view.heading);
      }

      // In the Jobs view now: start a small benchmark and follow it through events.
      const form = page.getByTestId('benchmark-form');
      await form.locator('input[name=size]').fill('64');
      await form.locator('input[name=repeats]').fill('3');
      await form.locator('button[type=submit]').click();
      const started = page.getByTestId('benchmark-started');
      await started.waitFor({ timeout: TIMEOUT_MS });
      const jobId = await started.getAttribute('data-job-id');
      expect(jobId).toBeTruthy();
      const status = await waitForJobEnd(page, jobId!);
      const banner = await page.getByTestId('error-banner').allTextContents();
      expect(status, `job ${jobId} ended; banners: ${banner.join(' | ')}`).toBe('succeeded');
      expect(banner).toEqual([]);

      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 3,
  );
});
