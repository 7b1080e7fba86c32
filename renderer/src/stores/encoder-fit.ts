/**
 * Encoder fit: whether an encoder fits a dataset (`datasets.fit`: real captions' cosines,
 * caption words outside its tokenizer, retrieval cosines against the demo's), per dataset and
 * model, for the warning banner of the Datasets and Pseudo-captions views. Read again whenever a
 * view asks (captions, embeddings and pseudo runs change it).
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { EncoderFit } from '../../../main/contract/index.ts';
import { useApiClient } from '../api/index.ts';

const keyOf = (dataset: string, model: string | null): string => `${dataset}\u0000${model ?? ''}`;

export const useEncoderFitStore = defineStore('encoder-fit', () => {
  const api = useApiClient();
  /** By dataset and model (an empty model: the dataset's newest encoder). */
  const fits = ref<Record<string, EncoderFit>>({});

  /** Reads the fit again; a failure leaves no banner (the views show their own errors). */
  async function load(dataset: string, model: string | null = null): Promise<void> {
    try {
      const fit = await api.call('datasets.fit', { dataset, ...(model ? { model } : {}) });
      fits.value = { ...fits.value, [keyOf(dataset, model)]: fit };
    } catch {
      // no banner: the dataset may have gone meanwhile
    }
  }

  const fitOf = (dataset: string, model: string | null = null): EncoderFit | null => fits.value[keyOf(dataset, model)] ?? null;

  return { fits, load, fitOf };
});
