// better-sqlite3 compiled for Electron's ABI, in a folder of its own, so that node_modules
// keeps the build for this Node that `npx lafite` and `npm test` load (one node_modules
// cannot hold both: the two ABIs differ). onnxruntime-node, sharp and webgpu use Node-API
// and load in both as they are.
//
//   node scripts/electron-native.mjs [--arch x64|arm64] [--platform linux|darwin|win32]
//   → prints the path of better_sqlite3.node under .electron-native/ (built once, then reused)
//
// It first asks prebuild-install for better-sqlite3's prebuilt binary for this Electron
// (downloaded from the project's releases), else compiles it with node-gyp against
// Electron's headers (a C++ toolchain; the headers are downloaded). Both need the network
// once. Used by `npm start` (scripts/start-electron.mjs, through LAFITE_SQLITE_BINDING) and
// by packaging (scripts/after-pack.mjs copies it into the app).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

const packageVersion = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;

/** The folder and file of the Electron build of better-sqlite3 for this platform and arch. */
export function electronSqlitePaths({ platform = process.platform, arch = process.arch } = {}) {
  const electron = packageVersion('electron');
  const sqlite = packageVersion('better-sqlite3');
  const dir = join(root, '.electron-native', `better-sqlite3-${sqlite}-electron-${electron}-${platform}-${arch}`);
  return { dir, binding: join(dir, 'build', 'Release', 'better_sqlite3.node'), electron };
}

/** The environment for the build, without npm's `nodedir` (a machine may point it at the system Node's headers, which would make a Node build under Electron's name). */
function buildEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => name.toLowerCase() !== 'npm_config_nodedir'));
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, env: buildEnv(), stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  return result.status === 0;
}

/** Builds (once) and returns the path of better_sqlite3.node for Electron. */
export function ensureElectronSqlite(target = {}) {
  const { dir, binding, electron } = electronSqlitePaths(target);
  if (existsSync(binding)) return binding;
  const platform = target.platform ?? process.platform;
  const arch = target.arch ?? process.arch;
  const source = dirname(require.resolve('better-sqlite3/package.json'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The package without node_modules' own build for Node.
  cpSync(source, dir, { recursive: true, filter: (path) => !path.startsWith(join(source, 'build')) });
  const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
  console.error(`better-sqlite3 for Electron ${electron} (${platform}-${arch}): trying the prebuilt binary…`);
  const prebuilt = run(bin('prebuild-install'), ['--runtime', 'electron', '--target', electron, '--platform', platform, '--arch', arch], dir);
  if (!prebuilt || !existsSync(binding)) {
    console.error('no prebuilt binary: compiling with node-gyp against the Electron headers…');
    const headers = join(root, '.electron-native', `headers-${electron}`);
    const built = run(
      bin('node-gyp'),
      ['rebuild', '--release', '--runtime=electron', `--target=${electron}`, `--arch=${arch}`, '--dist-url=https://electronjs.org/headers', `--devdir=${headers}`],
      dir,
    );
    if (!built || !existsSync(binding)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`could not build better-sqlite3 for Electron ${electron}: both the prebuilt download and node-gyp failed (they need the network once)`);
    }
  }
  // Keep only the addon: the compiler's objects and the sources are not needed to load it.
  for (const part of ['deps', 'src', join('build', 'Release', 'obj'), join('build', 'Release', 'obj.target'), join('build', 'Release', '.deps')]) {
    rmSync(join(dir, part), { recursive: true, force: true });
  }
  return binding;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    console.log(ensureElectronSqlite({ platform: option('platform', process.platform), arch: option('arch', process.arch) }));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
