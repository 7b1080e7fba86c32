import { describe, expect, it } from 'vitest';
import { isAppUrl, isExternalLink } from './app-url.ts';

const root = 'file:///opt/lafite/resources/app.asar/out/renderer';
const dev = 'http://localhost:5173';

describe('isAppUrl', () => {
  it('accepts the built renderer and files below it', () => {
    expect(isAppUrl(`${root}/index.html`, root)).toBe(true);
    expect(isAppUrl(`${root}/index.html#/datasets`, root)).toBe(true);
    expect(isAppUrl(`${root}/assets/index-abc.js`, `${root}/`)).toBe(true);
  });

  it('refuses a sibling folder that shares the prefix, and a way out by dot segments', () => {
    expect(isAppUrl('file:///opt/lafite/resources/app.asar/out/renderer-evil/index.html', root)).toBe(false);
    expect(isAppUrl(`${root}/../renderer-evil/index.html`, root)).toBe(false);
    expect(isAppUrl(`${root}/%2e%2e/secrets.html`, root)).toBe(false);
    expect(isAppUrl('file:///etc/passwd', root)).toBe(false);
  });

  it('refuses another host of a file URL, other schemes and garbage', () => {
    expect(isAppUrl('file://server/opt/lafite/resources/app.asar/out/renderer/index.html', root)).toBe(false);
    expect(isAppUrl('https://example.com/opt/lafite/resources/app.asar/out/renderer/index.html', root)).toBe(false);
    expect(isAppUrl('not a url', root)).toBe(false);
    expect(isAppUrl('', root)).toBe(false);
  });

  it("accepts the dev server's origin only: not a longer host, another port or scheme", () => {
    expect(isAppUrl('http://localhost:5173/', root, dev)).toBe(true);
    expect(isAppUrl('http://localhost:5173/src/main.ts?t=1', root, `${dev}/`)).toBe(true);
    expect(isAppUrl('http://localhost:5173.evil.example/', root, dev)).toBe(false);
    expect(isAppUrl('http://localhost:51730/', root, dev)).toBe(false);
    expect(isAppUrl('https://localhost:5173/', root, dev)).toBe(false);
    expect(isAppUrl('http://user@evil.example/?localhost:5173', root, dev)).toBe(false);
  });

  it('ignores a dev server URL that is not http(s) and still accepts the built files', () => {
    expect(isAppUrl('file:///anything', root, 'file:///')).toBe(false);
    expect(isAppUrl(`${root}/index.html`, root, 'garbage')).toBe(true);
  });
});

describe('isExternalLink', () => {
  it('is https with a host and no credentials', () => {
    expect(isExternalLink('https://github.com/lafite/issues')).toBe(true);
    expect(isExternalLink('http://example.com')).toBe(false);
    expect(isExternalLink('https://user:pw@example.com')).toBe(false);
    expect(isExternalLink('file:///etc/passwd')).toBe(false);
    expect(isExternalLink('javascript:alert(1)')).toBe(false);
    expect(isExternalLink('https:')).toBe(false);
  });
});
