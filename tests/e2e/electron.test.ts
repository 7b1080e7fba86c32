/**
 * The desktop app through Playwright's Electron driver: the window opens with the secure
 * settings and the status bar shows the backend the API reports. Skipped, with the reason
 * printed, where Electron's binary is not installed (it downloads on first use).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.ts';

function electronBinary(): string | undefined {
  const root = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(root, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(root, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
if (!binary) console.warn('electron e2e skipped: the Electron binary is not installed (node_modules/electron/dist); run `npx install-electron` where the network allows');

describe.skipIf(!binary)('desktop app (Electron)', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('opens a sandboxed window whose status bar shows the API backend', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: ['out/main/index.js', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      env: { ...process.env, LAFITE_DATA_DIR: dir.path } as Record<string, string>,
    });
    try {
      const page = await app.firstWindow();
      const backend = page.getByTestId('status-backend');
      await expect.poll(async () => (await backend.textContent())?.trim(), { timeout: 60_000 }).toMatch(/^(wasm|cpu|node|webgpu|node-gpu)$/);
      // Sandboxed, isolated, no Node: the page sees neither require nor process, only the bridge.
      expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await page.evaluate(() => Object.keys((globalThis as { lafite?: object }).lafite ?? {}).sort())).toEqual(['call', 'onEvent']);
    } finally {
      await app.close();
    }
  });
});
