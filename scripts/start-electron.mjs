// `npm start`: builds the app and opens the Electron window. Where Electron's binary is
// missing (it is downloaded on first use, which needs the network), says so and points
// to web mode instead. better-sqlite3 is loaded from its Electron build in .electron-native/
// (scripts/electron-native.mjs, made on the first start), never rebuilt inside node_modules,
// so `npx lafite` and `npm test` keep working beside the app.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ensureElectronSqlite } from './electron-native.mjs';

const require = createRequire(import.meta.url);

function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return process.env.ELECTRON_OVERRIDE_DIST_PATH;
  let root;
  try {
    root = dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  const pathFile = join(root, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(root, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

if (!electronBinary()) {
  console.error(
    [
      'Lafite Studio: the Electron binary is not installed, so the desktop window cannot open.',
      '  Install it where the network allows:  npx install-electron',
      '  Or use the same app in your browser:  npx lafite serve',
    ].join('\n'),
  );
  process.exit(1);
}

let sqliteBinding = process.env.LAFITE_SQLITE_BINDING;
if (!sqliteBinding) {
  try {
    sqliteBinding = ensureElectronSqlite();
  } catch (error) {
    console.error(
      [
        `Lafite Studio: ${error.message}.`,
        '  The desktop window needs better-sqlite3 built for Electron once (a download or a C++ compiler).',
        '  Or use the same app in your browser:  npx lafite serve',
      ].join('\n'),
    );
    process.exit(1);
  }
}

const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const result = spawnSync(process.execPath, [electronVite, 'preview', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, LAFITE_SQLITE_BINDING: sqliteBinding },
});
process.exit(result.status ?? 1);
