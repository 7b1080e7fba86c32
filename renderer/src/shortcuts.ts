/**
 * Keyboard shortcuts: the list the help shows (`?`), whether a key press is typing (then single
 * keys such as N are left to the field), and a keydown listener tied to a component's life.
 *
 * @example
 *   useKeydown((event) => {
 *     if (isGenerateKey(event)) submit();
 *   });
 */
import { onMounted, onUnmounted, ref } from 'vue';

/** One shortcut as the help lists it. */
export interface Shortcut {
  keys: string[];
  what: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['Ctrl', 'Enter'], what: 'Generate (Playground; ⌘ Enter on a Mac)' },
  { keys: ['N'], what: 'Next seed (Playground, when not typing in a field)' },
  { keys: ['?'], what: 'Show or hide this list' },
  { keys: ['Esc'], what: 'Close this list' },
];

/** Whether the shortcuts help is open (one for the whole window). */
export const helpOpen = ref(false);

/** Whether a key press goes into a text field, a select or an editable element. */
export function isTyping(target: EventTarget | null): boolean {
  const element = target as { tagName?: string; isContentEditable?: boolean } | null;
  const tag = element?.tagName?.toLowerCase();
  return tag === 'input' || tag === 'textarea' || tag === 'select' || element?.isContentEditable === true;
}

/** Ctrl+Enter, or ⌘+Enter on a Mac: works in text fields too. */
export const isGenerateKey = (event: KeyboardEvent): boolean => event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;

/** A bare letter key (no Ctrl, ⌘ or Alt) pressed outside a text field. */
export const isPlainKey = (event: KeyboardEvent, key: string): boolean =>
  event.key.toLowerCase() === key && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target);

/** Listens to keydown on the window while the calling component is mounted. */
export function useKeydown(handler: (event: KeyboardEvent) => void): void {
  onMounted(() => window.addEventListener('keydown', handler));
  onUnmounted(() => window.removeEventListener('keydown', handler));
}
