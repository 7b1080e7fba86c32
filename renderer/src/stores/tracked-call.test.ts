import { describe, expect, it } from 'vitest';
import { ref } from 'vue';
import { ApiError, type DisplayError } from '../api/index.ts';
import { trackCall, trackItemCall } from './tracked-call.ts';

describe('trackCall', () => {
  it('holds the busy flag while the call runs and resolves to its value', async () => {
    const busy = ref(false);
    const error = ref<DisplayError | null>(null);
    let busyInside = false;
    const value = await trackCall(busy, error, async () => {
      busyInside = busy.value;
      return 42;
    });
    expect([value, busyInside, busy.value, error.value]).toEqual([42, true, false, null]);
  });

  it('resolves to null with the failure as a display error, and clears the busy flag', async () => {
    const busy = ref(false);
    const error = ref<DisplayError | null>(null);
    const value = await trackCall(busy, error, () => Promise.reject(new ApiError('invalid_input', 'folder is not absolute', 'input.folder')));
    expect(value).toBeNull();
    expect(busy.value).toBe(false);
    expect(error.value).toEqual({ code: 'invalid_input', message: 'folder is not absolute', field: 'input.folder' });
  });
});

describe('trackItemCall', () => {
  it('keeps the id pending while the call runs, whether it succeeds or fails', async () => {
    const pendingIds = ref(new Set<string>(['other']));
    const error = ref<DisplayError | null>(null);
    let pendingInside: string[] = [];
    expect(
      await trackItemCall(pendingIds, 'a', error, async () => {
        pendingInside = [...pendingIds.value].sort();
        return true;
      }),
    ).toBe(true);
    expect(pendingInside).toEqual(['a', 'other']);
    expect(await trackItemCall(pendingIds, 'b', error, () => Promise.reject(new Error('gone\nstack')))).toBeNull();
    expect([...pendingIds.value]).toEqual(['other']);
    expect(error.value).toEqual({ code: 'internal', message: 'gone' });
  });
});
