import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesktopInfo, MenuCommand, PreloadBridge } from '../../../main/contract/index.ts';
import { useDesktopStore } from './desktop.ts';

const INFO: DesktopInfo = { logFile: '/logs/main.log', dataDir: '/data', dataDirSource: 'default', dataBytes: 10, freeBytes: 20 };

/** A stand-in for the preload bridge: desktop calls answered, the menu listener kept. */
function fakeBridge(): { bridge: PreloadBridge; menu: { listener?: (command: MenuCommand) => void } } {
  const menu: { listener?: (command: MenuCommand) => void } = {};
  const bridge: PreloadBridge = {
    call: vi.fn(),
    onEvent: () => () => undefined,
    pickFolder: async () => null,
    pickImage: async () => null,
    pathForFile: (file) => `/dropped/${file.name}`,
    desktopInfo: async () => INFO,
    onMenuCommand: (listener) => {
      menu.listener = listener;
      return () => (menu.listener = undefined);
    },
  };
  return { bridge, menu };
}

describe('desktop store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  it('in web mode: no info, no drop paths, no menu', async () => {
    const store = useDesktopStore();
    expect(store.isDesktop).toBe(false);
    await store.loadInfo();
    expect(store.info).toBeNull();
    expect(store.pathOfDrop([{ name: 'x' }] as unknown as FileList)).toBeNull();
    expect(() => store.listenToMenu()()).not.toThrow();
  });

  it('in the desktop app: loads the info, names a dropped folder, and hands a menu folder over once', async () => {
    const { bridge, menu } = fakeBridge();
    const location = { hash: '#/jobs' };
    vi.stubGlobal('window', { lafite: bridge, location });
    const store = useDesktopStore();
    expect(store.isDesktop).toBe(true);
    await store.loadInfo();
    expect(store.info).toEqual(INFO);
    expect(store.pathOfDrop([{ name: 'birds' }] as unknown as FileList)).toBe('/dropped/birds');
    expect(store.pathOfDrop([] as unknown as FileList)).toBeNull();

    const stop = store.listenToMenu();
    menu.listener!({ type: 'import-folder', folder: '/mnt/birds' });
    expect(location.hash).toBe('#/datasets');
    expect(store.takeOfferedFolder()).toBe('/mnt/birds');
    expect(store.takeOfferedFolder()).toBeNull();
    stop();
    expect(menu.listener).toBeUndefined();
  });
});
