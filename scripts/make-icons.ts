/**
 * The app icon in the sizes packaging and the window need, drawn from the one source
 * resources/icons/lafite.svg with sharp:
 *   resources/build/icon.png    1024 px: electron-builder makes the macOS .icns, the Windows
 *                               .ico and the Linux icon set from it (it asks for ≥ 512 px)
 *   resources/icons/lafite.png  512 px: the window icon on Linux and the About dialog
 * The artwork sits in 824 px of the 1024 (Apple's grid for app icons; Windows and Linux show
 * the same margin). Run after changing the SVG: npx tsx scripts/make-icons.ts
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'resources/icons/lafite.svg');

/** Renders the SVG at `artPx` and centres it on a transparent `canvasPx` square. */
async function writeIcon(path: string, canvasPx: number, artPx: number): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const art = await sharp(source, { density: (72 * artPx) / 32 })
    .resize(artPx, artPx)
    .png()
    .toBuffer();
  const margin = Math.round((canvasPx - artPx) / 2);
  await sharp({ create: { width: canvasPx, height: canvasPx, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: art, left: margin, top: margin }])
    .png({ compressionLevel: 9 })
    .toFile(path);
  console.log(`${path}: ${canvasPx} px`);
}

await writeIcon(join(root, 'resources/build/icon.png'), 1024, 824);
await writeIcon(join(root, 'resources/icons/lafite.png'), 512, 412);
