/**
 * Web mode end to end: `lafite serve` serves the built renderer and the API; the token guards
 * both; a real Chromium opens the printed URL, sees the backend in the status bar, visits
 * every view, runs a small backend benchmark from the Jobs view, and logs no console errors
 * (a CSP violation would be one). Then the Models view: the built-in `shapes-clip` (when this
 * checkout ships it) is listed as builtin, cannot be removed, and evaluates; its folder added
 * again is a `folder` model that Remove (after a confirm) forgets; a folder that does not exist
 * shows the API's message; a download from an unreachable mirror shows its failure. Leaves screenshots in test-results/web-shell.png and
 * test-results/models-view.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/web.test.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, collectConsoleErrors, hasChromium, launchChromium, saveScreenshot } from '../helpers/browser.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOT = 'web-shell.png';
const MODELS_SCREENSHOT = 'models-view.png';
/** The demo encoder, registered as built in when resources/models/shapes-clip exists. */
const BUILTIN_MODEL = 'shapes-clip';
/** Held-out images for the evaluation run from the UI (the UI's default is 1000). */
const EVAL_IMAGES = 200;
/** The machine may have two cores and a cold start; everything waits this long. */
const TIMEOUT_MS = 60_000;

/** Each view: its nav entry and the heading it shows. */
const VIEWS = [
  { id: 'datasets', heading: 'Datasets' },
  { id: 'vocabulary', heading: 'Vocabulary & Templates' },
  { id: 'pseudo-captions', heading: 'Pseudo-captions' },
  { id: 'models', heading: 'Models' },
  { id: 'training', heading: 'Training' },
  { id: 'playground', heading: 'Playground' },
  { id: 'gallery', heading: 'Gallery' },
  { id: 'compare', heading: 'Compare' },
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

/** Calls an API method with the token and returns its result. */
async function callApi<T>(method: string, input: unknown): Promise<T> {
  const response = await fetch(`${origin}/api/call/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${serve.token}` },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { ok: boolean; result?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.result as T;
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

  it(
    'answers API calls only with the token',
    async () => {
      expect((await callInfo({})).status).toBe(401);
      expect((await callInfo({ Authorization: 'Bearer wrong-token' })).status).toBe(401);

      const response = await callInfo({ Authorization: `Bearer ${serve.token}` });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { ok: boolean; result?: { backend?: unknown } };
      expect(body.ok).toBe(true);
      expect(typeof body.result?.backend).toBe('string');
      backend = body.result!.backend as string;
    },
    TIMEOUT_MS,
  );

  it(
    'refuses the page and the event stream without the token',
    async () => {
      expect((await fetch(`${origin}/`)).status).toBe(401);
      const events = await fetch(`${origin}/api/events`);
      expect(events.status).toBe(401);
      await events.body?.cancel();
    },
    TIMEOUT_MS,
  );

  it.skipIf(!hasChromium)(
    'shows the shell, every view, and a benchmark job to the end, with no console errors',
    async () => {
      expect(backend, 'the API test runs first and reads the backend').not.toBe('');
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const consoleErrors = collectConsoleErrors(page);

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

      await saveScreenshot(page, SCREENSHOT);
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 3,
  );

  it.skipIf(!hasChromium)(
    'manages models: the built-in one listed and evaluated, a missing folder refused with the API message',
    async () => {
      browser ??= await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      // Adding a missing folder answers 404, a relative path 400: Chromium logs both.
      const consoleErrors = collectConsoleErrors(page, { expectedStatuses: [400, 404] });
      await page.goto(serve.url, { timeout: TIMEOUT_MS });
      await page.getByTestId('nav-models').click();
      await expect.poll(() => page.locator('main h1').textContent(), { timeout: TIMEOUT_MS }).toBe('Models');

      const models = await callApi<Array<{ id: string; source: string }>>('models.list', {});
      const rows = page.getByTestId('model-row');
      if (models.length === 0) {
        await page.getByTestId('models-empty').waitFor({ timeout: TIMEOUT_MS });
      } else {
        await expect.poll(() => rows.count(), { timeout: TIMEOUT_MS }).toBe(models.length);
      }

      const downloads = page.getByTestId('download-row');
      expect(await downloads.evaluateAll((items) => items.map((item) => item.getAttribute('data-model-id')))).toEqual(['clip-vit-b32', 'clip-vit-b16']);

      const form = page.getByTestId('add-model-form');
      const builtin = models.find((model) => model.id === BUILTIN_MODEL);
      if (builtin) {
        expect(builtin.source).toBe('builtin');
        const row = page.locator(`[data-testid=model-row][data-model-id="${BUILTIN_MODEL}"]`);
        expect((await row.getByTestId('model-source').textContent())?.trim()).toBe('builtin');
        expect(await row.getByTestId('model-remove').isDisabled()).toBe(true);

        await page.locator('input[name=eval-images]').fill(String(EVAL_IMAGES));
        await row.getByTestId('model-evaluate').click();
        const evalRow = page.locator(`[data-testid=model-eval-row][data-model-id="${BUILTIN_MODEL}"]`);
        const result = evalRow.getByTestId('model-eval-result');
        await result.waitFor({ timeout: TIMEOUT_MS * 2 });
        expect(await evalRow.getByTestId('model-eval').getAttribute('data-status')).toBe('succeeded');
        expect(await result.textContent()).toContain(`${EVAL_IMAGES} held-out ShapesWorld images`);
        const color = Number.parseFloat((await result.getByTestId('eval-color').textContent()) ?? '');
        expect(color, 'shapes-clip tells colors apart').toBeGreaterThan(50);
        expect(Number.isFinite(Number.parseFloat((await result.getByTestId('eval-gap').textContent()) ?? ''))).toBe(true);

        // The same folder added as a user's model: listed as `folder`, removed after a confirm step.
        await form.locator('input[name=folder]').fill(join(ROOT, 'resources', 'models', BUILTIN_MODEL));
        await form.locator('input[name=id]').fill('my-shapes-clip');
        await form.locator('button[type=submit]').click();
        await form.getByTestId('add-model-added').waitFor({ timeout: TIMEOUT_MS });
        const added = page.locator('[data-testid=model-row][data-model-id="my-shapes-clip"]');
        expect((await added.getByTestId('model-source').textContent())?.trim()).toBe('folder');
        await added.getByTestId('model-remove').click();
        await added.getByTestId('model-remove-confirm').click();
        await added.waitFor({ state: 'detached', timeout: TIMEOUT_MS });
        expect((await callApi<Array<{ id: string }>>('models.list', {})).map((model) => model.id)).toEqual(models.map((model) => model.id));
        expect(existsSync(join(ROOT, 'resources', 'models', BUILTIN_MODEL, 'config.json')), 'a user folder is never deleted').toBe(true);
      } else {
        console.warn(`web.test.ts: ${BUILTIN_MODEL} is not built in this checkout (resources/models/${BUILTIN_MODEL}); its checks are skipped`);
      }

      const missing = join(dataDir, 'no-such-clip-folder');
      await form.locator('input[name=folder]').fill(missing);
      await form.locator('button[type=submit]').click();
      const addError = form.getByTestId('add-model-error');
      await addError.waitFor({ timeout: TIMEOUT_MS });
      expect(await addError.textContent()).toContain(`folder ${missing} does not exist`);

      await form.locator('input[name=folder]').fill('relative/clip');
      await form.locator('button[type=submit]').click();
      await expect.poll(() => form.locator('input[name=folder][aria-invalid=true]').count(), { timeout: TIMEOUT_MS }).toBe(1);
      expect(await addError.textContent()).toContain('an absolute path');
      expect(await rows.count(), 'nothing was added').toBe(models.length);

      // A download from a mirror that refuses connections: the job runs and its failure shows in its row.
      await page.getByTestId('model-downloads').locator('input[name=mirror]').fill('http://127.0.0.1:9');
      const b32 = downloads.filter({ has: page.locator('code', { hasText: 'clip-vit-b32' }) });
      await b32.getByTestId('download-start').click();
      await b32.getByTestId('download-error').waitFor({ timeout: TIMEOUT_MS });
      expect((await b32.getByTestId('job-status').textContent())?.trim()).toBe('failed');

      // Leave the first message on screen for the screenshot.
      await form.locator('input[name=folder]').fill(missing);
      await form.locator('button[type=submit]').click();
      await expect.poll(() => addError.textContent(), { timeout: TIMEOUT_MS }).toContain('does not exist');
      expect(await page.getByTestId('error-banner').allTextContents()).toEqual([]);

      await saveScreenshot(page, MODELS_SCREENSHOT);
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 4,
  );
});
