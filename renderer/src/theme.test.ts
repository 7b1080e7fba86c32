import { describe, expect, it } from 'vitest';
import { nextTheme, paletteOf } from './theme.ts';
import { isGenerateKey, isPlainKey, isTyping } from './shortcuts.ts';

describe('palette', () => {
  it('follows the system for System, the choice otherwise', () => {
    expect(paletteOf('system', true)).toBe('dark');
    expect(paletteOf('system', false)).toBe('light');
    expect(paletteOf('light', true)).toBe('light');
    expect(paletteOf('dark', false)).toBe('dark');
  });

  it('cycles System → Light → Dark → System', () => {
    expect([nextTheme('system'), nextTheme('light'), nextTheme('dark')]).toEqual(['light', 'dark', 'system']);
  });
});

describe('shortcuts', () => {
  const key = (init: Partial<KeyboardEvent>): KeyboardEvent =>
    ({ key: '', ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, target: null, ...init }) as KeyboardEvent;

  it('Ctrl+Enter or ⌘+Enter generates, even in a field', () => {
    expect(isGenerateKey(key({ key: 'Enter', ctrlKey: true }))).toBe(true);
    expect(isGenerateKey(key({ key: 'Enter', metaKey: true, target: { tagName: 'TEXTAREA' } as unknown as EventTarget }))).toBe(true);
    expect(isGenerateKey(key({ key: 'Enter' }))).toBe(false);
    expect(isGenerateKey(key({ key: 'Enter', ctrlKey: true, shiftKey: true }))).toBe(false);
  });

  it('N counts only outside text fields and without modifiers', () => {
    expect(isPlainKey(key({ key: 'n' }), 'n')).toBe(true);
    expect(isPlainKey(key({ key: 'N' }), 'n')).toBe(true);
    expect(isPlainKey(key({ key: 'n', ctrlKey: true }), 'n')).toBe(false);
    expect(isPlainKey(key({ key: 'n', target: { tagName: 'INPUT' } as unknown as EventTarget }), 'n')).toBe(false);
    expect(isTyping({ tagName: 'DIV', isContentEditable: true } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: 'BUTTON' } as unknown as EventTarget)).toBe(false);
  });
});
