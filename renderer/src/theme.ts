/**
 * Light or dark palette: the user's choice (System, Light, Dark), kept in localStorage; System
 * follows `prefers-color-scheme` as it changes. The choice lands on <html data-theme="light|dark">,
 * which styles.css turns into the palette's custom properties (resolved colours, so canvas
 * charts that read them get real colours).
 *
 * @example
 *   applyTheme();            // main.ts, before mounting: no light flash on a dark system
 *   setTheme('dark');
 */
import { ref } from 'vue';

export const THEME_CHOICES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];
export type Palette = 'light' | 'dark';

/** The localStorage key of the choice. */
export const THEME_STORAGE_KEY = 'lafite.theme';

const darkQuery = (): MediaQueryList | null => (typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null);

function storedChoice(): ThemeChoice {
  try {
    const value = window.localStorage.getItem(THEME_STORAGE_KEY);
    return (THEME_CHOICES as readonly string[]).includes(value ?? '') ? (value as ThemeChoice) : 'system';
  } catch {
    return 'system'; // storage refused (a locked-down profile): follow the system
  }
}

/** The user's choice. */
export const themeChoice = ref<ThemeChoice>('system');
/** The palette in use. */
export const palette = ref<Palette>('light');

/** The palette a choice gives now. */
export const paletteOf = (choice: ThemeChoice, systemDark: boolean): Palette => (choice === 'system' ? (systemDark ? 'dark' : 'light') : choice);

function render(): void {
  palette.value = paletteOf(themeChoice.value, darkQuery()?.matches ?? false);
  document.documentElement.dataset.theme = palette.value;
}

let following = false;

/** Reads the stored choice and applies it; follows the system's changes from then on. */
export function applyTheme(): void {
  themeChoice.value = storedChoice();
  render();
  if (following) return;
  following = true;
  darkQuery()?.addEventListener('change', render);
}

/** Sets and stores the choice. */
export function setTheme(choice: ThemeChoice): void {
  themeChoice.value = choice;
  try {
    window.localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // not stored: it still applies until the window closes
  }
  render();
}

/** The next choice for the toggle: System → Light → Dark → System. */
export const nextTheme = (choice: ThemeChoice): ThemeChoice => THEME_CHOICES[(THEME_CHOICES.indexOf(choice) + 1) % THEME_CHOICES.length]!;
