/** Jobs: the list from `jobs.list`, kept live by `job.updated` events; start, cancel, pause, resume. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Input, JobKind, JobRecord } from '../../../main/contract/index.ts';
import { useApiClient, type DisplayError } from '../api/index.ts';
import { isCancellable, isStaleJob } from './job-order.ts';
import { trackCall, trackItemCall } from './tracked-call.ts';

/** How many jobs the list asks for. */
const LIST_LIMIT = 100;

export const useJobsStore = defineStore('jobs', () => {
  const api = useApiClient();

  const byId = ref<Record<string, JobRecord>>({});
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<DisplayError | null>(null);
  /** Ids with a cancel, pause or resume call in flight (their buttons are disabled). */
  const pendingIds = ref<Set<string>>(new Set());
  /** Ids whose cancel was accepted but whose worker has not stopped yet. */
  const cancellingIds = ref<Set<string>>(new Set());
  /** Ids whose pause was accepted but whose worker has not stopped yet (a trainer writes its checkpoint first). */
  const pausingIds = ref<Set<string>>(new Set());
  const starting = ref(false);
  let stopListening: (() => void) | null = null;

  /** Newest first. */
  const jobs = computed(() => Object.values(byId.value).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)));

  /**
   * Keeps the newer copy of a job. `before` is the copy we held when we asked for an action:
   * if no event replaced it meanwhile, the action's answer is the newest state.
   */
  function upsert(job: JobRecord, before?: JobRecord): void {
    const current = byId.value[job.id];
    if (current && current !== before && isStaleJob(job, current)) return;
    byId.value[job.id] = job;
    if (!isCancellable(job)) {
      cancellingIds.value.delete(job.id);
      pausingIds.value.delete(job.id);
    }
  }

  /** Subscribes to `job.updated` events (once; later calls do nothing). */
  function listen(): void {
    if (stopListening) return;
    stopListening = api.subscribe((event) => {
      if (event.type === 'job.updated') upsert(event.job);
    });
  }

  function stop(): void {
    stopListening?.();
    stopListening = null;
  }

  async function load(): Promise<void> {
    await trackCall(loading, error, async () => {
      const list = await api.call('jobs.list', { limit: LIST_LIMIT });
      const next: Record<string, JobRecord> = {};
      for (const job of list) {
        const current = byId.value[job.id];
        next[job.id] = current && isStaleJob(job, current) ? current : job;
      }
      byId.value = next;
      loaded.value = true;
    });
  }

  /** Starts a job; returns its record, or null when the call failed (see `error`). */
  function start(kind: JobKind, input: Input<'jobs.start'>['input']): Promise<JobRecord | null> {
    return trackCall(starting, error, async () => {
      const job = await api.call('jobs.start', { kind, input });
      upsert(job);
      error.value = null;
      return byId.value[job.id] ?? job;
    });
  }

  /**
   * Reads one job (`jobs.get`) into the list, for a view that follows a job the list may not
   * hold; null when it cannot be read (the view's own call says why).
   */
  async function refreshJob(id: string): Promise<JobRecord | null> {
    try {
      upsert(await api.call('jobs.get', { id }));
      return byId.value[id] ?? null;
    } catch {
      return null;
    }
  }

  async function act(id: string, method: 'jobs.cancel' | 'jobs.pause' | 'jobs.resume'): Promise<void> {
    const before = byId.value[id];
    await trackItemCall(pendingIds, id, error, async () => {
      const job = await api.call(method, { id });
      if (method === 'jobs.cancel' && isCancellable(job)) cancellingIds.value.add(id);
      if (method === 'jobs.pause' && isCancellable(job)) pausingIds.value.add(id);
      upsert(job, before);
    });
  }

  const cancel = (id: string): Promise<void> => act(id, 'jobs.cancel');
  /** Pauses a queued or running job: it stops at a checkpoint and waits, `paused`, for Resume. */
  const pause = (id: string): Promise<void> => act(id, 'jobs.pause');
  const resume = (id: string): Promise<void> => act(id, 'jobs.resume');

  function dismissError(): void {
    error.value = null;
  }

  return { byId, jobs, loading, loaded, error, pendingIds, cancellingIds, pausingIds, starting, listen, stop, load, refreshJob, start, cancel, pause, resume, dismissError };
});
