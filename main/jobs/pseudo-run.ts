/**
 * Which stored pseudo-feature run a training run trains on (Lafite2 §3.1 retrieval, and CLO
 * starting from it): the one the user named, checked against the dataset, method and encoder,
 * or the dataset's newest suitable one. The API pins it in the job's input when the job is
 * made, so the run's record names it and a resume trains on the same.
 */
import { invalidInput } from '../contract/errors.ts';
import type { PseudoRunRow, PseudoStore } from '../store/pseudo.ts';

/** What a training run's retrieval conditions depend on. */
interface PseudoRunAsk {
  dataset: string;
  model: string;
  /** The run named by the user (`--pseudo-run`), if any. */
  pseudoRun?: string | undefined;
}

const synthHint = (dataset: string): string => `lafite pseudo synth --dataset ${dataset} --method retrieval`;

/** A named pseudo run, checked: of this dataset, retrieval (the prompts CLO also starts from), of this encoder, complete. */
function checkedPseudoRun(pseudo: PseudoStore, ask: PseudoRunAsk & { pseudoRun: string }): PseudoRunRow {
  const run = pseudo.get(ask.pseudoRun);
  const fix = `name a retrieval run of '${ask.dataset}' (lafite pseudo stats --dataset ${ask.dataset} lists them), or leave --pseudo-run out for the newest`;
  if (!run) throw invalidInput(`no pseudo run '${ask.pseudoRun}': ${fix}`, 'pseudoRun');
  if (run.datasetId !== ask.dataset) throw invalidInput(`pseudo run ${run.id} belongs to dataset '${run.datasetId}', not '${ask.dataset}': ${fix}`, 'pseudoRun');
  if (run.method !== 'retrieval')
    throw invalidInput(`pseudo run ${run.id} holds ${run.method} features: training takes a retrieval run's prompts (CLO starts from them): ${fix}`, 'pseudoRun');
  if (run.modelId !== ask.model)
    throw invalidInput(`pseudo run ${run.id} was made with ${run.modelId}, not ${ask.model}: train with --model ${run.modelId}, or ${fix}`, 'pseudoRun');
  if (!run.complete) throw invalidInput(`pseudo run ${run.id} did not finish: run \`${synthHint(ask.dataset)}\` again`, 'pseudoRun');
  return run;
}

/** The pseudo run named (checked), else the dataset's newest complete retrieval run of the encoder, else undefined. */
export function findPseudoRun(pseudo: PseudoStore, ask: PseudoRunAsk): PseudoRunRow | undefined {
  if (ask.pseudoRun !== undefined) return checkedPseudoRun(pseudo, { ...ask, pseudoRun: ask.pseudoRun });
  return pseudo.list(ask.dataset).find((r) => r.method === 'retrieval' && r.complete && r.modelId === ask.model);
}

/** Like findPseudoRun, with a clear message when the dataset has none. */
export function pseudoRunFor(pseudo: PseudoStore, ask: PseudoRunAsk): PseudoRunRow {
  const run = findPseudoRun(pseudo, ask);
  if (!run) throw invalidInput(`dataset '${ask.dataset}' has no retrieval pseudo captions for ${ask.model}: run \`${synthHint(ask.dataset)}\` first`, 'pseudo');
  return run;
}
