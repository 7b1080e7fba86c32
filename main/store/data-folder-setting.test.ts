import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import { dataFolderSettingPath, readDataFolderSetting, writeDataFolderSetting } from './data-folder-setting.ts';
import { resolveDataDir, settingsDir } from './paths.ts';

describe('data folder setting', () => {
  const dirs: { remove(): void }[] = [];
  const temp = (): string => {
    const dir = tempDir();
    dirs.push(dir);
    return dir.path;
  };
  afterEach(() => {
    vi.unstubAllEnvs();
    dirs.splice(0).forEach((dir) => dir.remove());
  });

  it('round-trips an absolute folder; a missing, broken or relative entry reads as none', () => {
    const settings = temp();
    expect(readDataFolderSetting(settings)).toBeUndefined();
    writeDataFolderSetting(settings, '/big/disk/lafite');
    expect(readDataFolderSetting(settings)).toBe('/big/disk/lafite');
    writeFileSync(dataFolderSettingPath(settings), '{"dataDir": "relative/path"}');
    expect(readDataFolderSetting(settings)).toBeUndefined();
    writeFileSync(dataFolderSettingPath(settings), 'not json');
    expect(readDataFolderSetting(settings)).toBeUndefined();
    expect(() => writeDataFolderSetting(settings, 'relative')).toThrow(/absolute/);
  });

  it.skipIf(process.platform === 'win32' || process.platform === 'darwin')('resolveDataDir: flag, then LAFITE_DATA_DIR, then the chosen folder, then the default', () => {
    const config = temp();
    vi.stubEnv('XDG_CONFIG_HOME', config);
    vi.stubEnv('LAFITE_DATA_DIR', '');
    expect(settingsDir()).toBe(join(config, 'Lafite Studio'));
    expect(resolveDataDir()).toBe(join(config, 'Lafite Studio'));
    writeDataFolderSetting(settingsDir(), '/big/disk/lafite');
    expect(resolveDataDir()).toBe('/big/disk/lafite');
    vi.stubEnv('LAFITE_DATA_DIR', '/from/env');
    expect(resolveDataDir()).toBe('/from/env');
    expect(resolveDataDir('/from/flag')).toBe('/from/flag');
  });
});
