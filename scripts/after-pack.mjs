// electron-builder's afterPack hook: puts better-sqlite3's Electron build (made by
// scripts/electron-native.mjs for the target platform and arch) into the packed app, in
// place of the build for Node that node_modules holds. This replaces electron-builder's
// npmRebuild, which would rebuild node_modules itself and break `npx lafite` and `npm test`.
// The only other native modules (onnxruntime-node, sharp, webgpu) use Node-API and need no
// rebuild. LAFITE_SKIP_NATIVE=1 skips it (a size measurement on a machine without network;
// such a package cannot open its database).
import { copyFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureElectronSqlite } from './electron-native.mjs';

/** electron-builder's Arch enum, by number. */
const ARCH_NAMES = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };

/** The app.asar.unpacked folder inside the packed app (its place differs between platforms). */
function findUnpacked(dir, depth = 0) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    if (name === 'app.asar.unpacked') return path;
    if (depth < 4) {
      const found = findUnpacked(path, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

export default async function afterPack(context) {
  if (process.env.LAFITE_SKIP_NATIVE === '1') {
    console.warn('  • LAFITE_SKIP_NATIVE=1: better-sqlite3 left as built for Node (this package cannot open its database)');
    return;
  }
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  const platform = context.electronPlatformName;
  const binding = ensureElectronSqlite({ platform, arch });
  const unpacked = findUnpacked(context.appOutDir);
  const target = unpacked && join(unpacked, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (!target || !existsSync(target)) throw new Error(`afterPack: better-sqlite3 not found unpacked under ${context.appOutDir} (asarUnpack must list it)`);
  copyFileSync(binding, target);
  console.log(`  • better-sqlite3 for Electron (${platform}-${arch}) → ${target}`);
}
