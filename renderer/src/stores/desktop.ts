/**
 * What only the desktop app offers (the preload bridge, `window.lafite`; absent in web mode):
 * the log file and the data folder's disk use for the status bar, and folders offered for
 * import by File › Import Folder… or by a drop on the Datasets view.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { DesktopInfo, PreloadBridge } from '../../../main/contract/index.ts';

const bridge = (): PreloadBridge | undefined => (typeof window !== 'undefined' && typeof window.lafite?.desktopInfo === 'function' ? window.lafite : undefined);

export const useDesktopStore = defineStore('desktop', () => {
  const info = ref<DesktopInfo | null>(null);
  /** A folder waiting for the import form, with when it was offered (the same folder may come twice). */
  const offeredFolder = ref<{ folder: string; at: number } | null>(null);
  const isDesktop = computed(() => bridge() !== undefined);

  async function loadInfo(): Promise<void> {
    const desktop = bridge();
    if (!desktop) return;
    try {
      info.value = await desktop.desktopInfo();
    } catch {
      info.value = null; // the status bar then shows what `info` says, as in web mode
    }
  }

  function offerFolder(folder: string): void {
    offeredFolder.value = { folder, at: Date.now() };
  }

  /** The folder offered for import, once: the import form takes it. */
  function takeOfferedFolder(): string | null {
    const offered = offeredFolder.value;
    offeredFolder.value = null;
    return offered?.folder ?? null;
  }

  /** The path of the first file or folder of a drop (desktop only: a web page never sees paths). */
  function pathOfDrop(files: FileList | null | undefined): string | null {
    const desktop = bridge();
    const file = files?.[0];
    if (!desktop || !file) return null;
    return desktop.pathForFile(file) || null;
  }

  /** Listens to menu commands: Import Folder… offers its folder and shows the Datasets view. */
  function listenToMenu(): () => void {
    const desktop = bridge();
    if (!desktop) return () => undefined;
    return desktop.onMenuCommand((command) => {
      if (command.type !== 'import-folder') return;
      offerFolder(command.folder);
      window.location.hash = '#/datasets';
    });
  }

  return { info, isDesktop, offeredFolder, loadInfo, offerFolder, takeOfferedFolder, pathOfDrop, listenToMenu };
});
