/**
 * Which URLs belong to the app, parsed rather than compared as strings: a prefix test
 * would also pass `file:///…/out/renderer-evil/` and `http://localhost:5173.evil.example`.
 * Pure (no Electron import), so the rules are unit-tested.
 *
 *   isAppUrl('file:///app/out/renderer/index.html', 'file:///app/out/renderer')  // true
 *   isAppUrl('file:///app/out/renderer-evil/x.html', 'file:///app/out/renderer') // false
 */

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** A folder URL with exactly one trailing slash, so that `…/renderer` never matches `…/renderer-evil`. */
function folderPath(pathname: string): string {
  return pathname.endsWith('/') ? pathname : `${pathname}/`;
}

/**
 * Whether `url` is our renderer: a file inside `rendererRoot` (the built files, a
 * `file://` folder URL) or a page of electron-vite's dev server (same scheme, host and
 * port as `devServerUrl`). Dot segments are resolved by the URL parser before the test.
 */
export function isAppUrl(url: string, rendererRoot: string, devServerUrl?: string): boolean {
  const target = parse(url);
  if (!target) return false;
  if (devServerUrl) {
    const dev = parse(devServerUrl);
    if (dev && (dev.protocol === 'http:' || dev.protocol === 'https:') && target.origin === dev.origin) return true;
  }
  const root = parse(rendererRoot);
  if (!root || root.protocol !== 'file:' || target.protocol !== 'file:') return false;
  // A UNC host (file://server/share) is another machine, whatever its path.
  if (target.host !== root.host) return false;
  return decodeURIComponent(target.pathname).startsWith(decodeURIComponent(folderPath(root.pathname)));
}

/** A link the user may open in their browser (after a prompt): https only, with a host, no credentials. */
export function isExternalLink(url: string): boolean {
  const target = parse(url);
  return target !== null && target.protocol === 'https:' && target.hostname !== '' && target.username === '' && target.password === '';
}
