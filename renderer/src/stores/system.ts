/** What the running engine reports about itself (`info`): backend in use, versions, data folder. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { BackendStatus, InfoResult } from '../../../main/contract/index.ts';
import { useApiClient, type DisplayError } from '../api/index.ts';
import { trackCall } from './tracked-call.ts';

export const useSystemStore = defineStore('system', () => {
  const api = useApiClient();

  const info = ref<InfoResult | null>(null);
  const loading = ref(false);
  const error = ref<DisplayError | null>(null);

  /** The backend id in use by the engine process (e.g. `wasm`). */
  const backend = computed(() => info.value?.backend ?? null);
  /** The probe result for the backend in use, with its device where it has one. */
  const backendStatus = computed<BackendStatus | null>(() => info.value?.backends.find((candidate) => candidate.id === info.value?.backend) ?? null);
  /** Backends that loaded on this machine, in the order they are tried. */
  const availableBackends = computed(() => info.value?.backends.filter((candidate) => candidate.available) ?? []);
  const versions = computed(() =>
    info.value
      ? {
          app: info.value.version,
          tfjs: info.value.tfjsVersion,
          onnxruntime: info.value.onnxruntimeVersion,
          node: info.value.nodeVersion,
          schema: info.value.schemaVersion,
        }
      : null,
  );
  const dataDir = computed(() => info.value?.dataDir ?? null);

  async function load(): Promise<void> {
    await trackCall(loading, error, async () => {
      info.value = await api.call('info', {});
      error.value = null;
    });
  }

  function dismissError(): void {
    error.value = null;
  }

  return { info, loading, error, backend, backendStatus, availableBackends, versions, dataDir, load, dismissError };
});
