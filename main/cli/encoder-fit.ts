/**
 * The encoder-fit warnings (api/encoder-fit.ts) as the CLI prints them: after embed, pseudo
 * synth and dataset captions, and in `dataset show`, on stderr so `--json` output stays one
 * result per line.
 */
import type { Service } from '../api/service.ts';

/** Prints why `model` (default: the dataset's newest encoder) may not fit `dataset`; prints nothing when it fits or on any error. */
export async function warnEncoderFit(service: Service, dataset: string, model?: string): Promise<void> {
  const fit = await service.call('datasets.fit', { dataset, ...(model ? { model } : {}) }).catch(() => undefined);
  if (!fit || fit.fits) return;
  process.stderr.write(`\nwarning: ${fit.model} may not fit dataset '${fit.dataset}':\n${fit.warnings.map((line) => `  - ${line}`).join('\n')}\n`);
}
