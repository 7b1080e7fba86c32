import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { menuTemplate, type MenuActions } from './menu-template.ts';

describe('menu template', () => {
  const actions = (): MenuActions & Record<string, ReturnType<typeof vi.fn>> => ({
    importFolder: vi.fn(),
    openDataFolder: vi.fn(),
    chooseDataFolder: vi.fn(),
    showLogFile: vi.fn(),
    about: vi.fn(),
  });
  const labels = (items: MenuItemConstructorOptions[]): string[] => items.map((item) => item.label ?? item.role ?? item.type ?? '?');
  const find = (items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions | undefined => {
    for (const item of items) {
      if (item.label === label) return item;
      const inner = Array.isArray(item.submenu) ? find(item.submenu, label) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };

  it('on Linux and Windows: File first, About under Help, and each item calls its action', () => {
    const a = actions();
    const template = menuTemplate({ platform: 'linux', productName: 'Lafite Studio' }, a);
    expect(labels(template)).toEqual(['File', 'editMenu', 'viewMenu', 'windowMenu', 'help']);
    for (const [label, action] of [
      ['Import Folder…', 'importFolder'],
      ['Open Data Folder', 'openDataFolder'],
      ['Choose Data Folder…', 'chooseDataFolder'],
      ['Show Log File', 'showLogFile'],
      ['About Lafite Studio', 'about'],
    ] as const) {
      const item = find(template, label);
      expect(item, label).toBeDefined();
      (item!.click as () => void)();
      expect(a[action]).toHaveBeenCalledTimes(1);
    }
    expect(find(template, 'Import Folder…')?.accelerator).toBe('CmdOrCtrl+O');
  });

  it('on macOS: the app menu first with About, no Help menu; LAFITE_DATA_DIR disables choosing a folder', () => {
    const template = menuTemplate({ platform: 'darwin', productName: 'Lafite Studio', dataFolderFixedBy: 'LAFITE_DATA_DIR' }, actions());
    expect(labels(template)).toEqual(['Lafite Studio', 'File', 'editMenu', 'viewMenu', 'windowMenu']);
    expect(labels(template[0]!.submenu as MenuItemConstructorOptions[])[0]).toBe('About Lafite Studio');
    expect(find(template, 'Choose Data Folder…')?.enabled).toBe(false);
  });
});
