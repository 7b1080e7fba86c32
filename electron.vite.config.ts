/**
 * One build for the three parts of the desktop app (electron-vite): the Node side
 * (Electron main process and the job worker), the preload bridge, and the Vue renderer.
 * The renderer build is also what `lafite serve` serves in web mode.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';
import type { Plugin } from 'vite';

/**
 * The dev server injects styles inline and talks to the page over a WebSocket (hot reload):
 * in `electron-vite dev` only, the CSP allows both. Builds keep the strict policy.
 */
function devServerCsp(): Plugin {
  return {
    name: 'lafite-dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace("connect-src 'self'", "connect-src 'self' ws:"),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('electron/main.ts'),
          'job-worker': resolve('main/jobs/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('electron/preload.ts') },
        // A sandboxed preload must be one CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    // Relative asset paths: the same build loads from file:// (Electron) and from `lafite serve`.
    base: './',
    plugins: [vue(), devServerCsp()],
    build: {
      outDir: resolve('out/renderer'),
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});
