/**
 * Jobs in words, for people: a label per job kind ("Generate images", not `gan-generate`) and
 * what a job works on (its prompt, dataset, run or model), shown by the Jobs view and
 * `lafite jobs list` alike. The kind's internal name stays where ids and scripts need it.
 *
 * @example
 *   jobLabel('gan-generate') // 'Generate images'
 *   jobSubject({ kind: 'gan-generate', input: { run: '974df643…', prompt: 'two red circles' } }) // '“two red circles” · run 974df643'
 */
/** By job kind (index.ts's JOB_KINDS; a unit test keeps every kind labelled). */
export const JOB_LABELS: Readonly<Record<string, string>> = {
  'backend-benchmark': 'Benchmark backend',
  'shapes-generate': 'Draw ShapesWorld pictures',
  'model-eval': 'Evaluate encoder',
  embed: 'Embed images',
  'model-download': 'Download model',
  'dataset-import': 'Import images',
  'dataset-dedupe': 'Remove duplicates',
  'pseudo-synth': 'Synthesise pseudo-captions',
  'pseudo-train-nn': 'Train perturbation network',
  'gan-train': 'Train GAN',
  'diffusion-train': 'Train diffusion model',
  'gan-generate': 'Generate images',
  'gan-eval': 'Evaluate run',
};

/** The kind in words; an unknown kind (a newer version's job) as it is. */
export const jobLabel = (kind: string): string => JOB_LABELS[kind] ?? kind;

const short = (id: string): string => id.slice(0, 8);
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);
const lastPart = (path: string): string => path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;

/** What a job works on, in a few words (its prompt, dataset, run, model or folder); '' when its input says nothing of note. */
export function jobSubject(job: { kind: string; input: unknown }, maxPrompt = 48): string {
  const input = (typeof job.input === 'object' && job.input !== null ? job.input : {}) as Record<string, unknown>;
  const parts: string[] = [];
  const prompt = text(input.prompt);
  const prompts = Array.isArray(input.prompts) ? input.prompts.length : 0;
  if (prompt) parts.push(`“${clip(prompt, maxPrompt)}”`);
  else if (text(input.image)) parts.push(`image ${lastPart(input.image as string)}`);
  if (prompts > 0) parts.push(`${prompts} prompt${prompts === 1 ? '' : 's'}`);
  if (text(input.dataset)) parts.push(`dataset ${input.dataset as string}`);
  if (text(input.run)) parts.push(`run ${short(input.run as string)}`);
  if (text(input.against)) parts.push(`against ${input.against as string}`);
  if (job.kind === 'model-download' || job.kind === 'model-eval') {
    const model = text(input.id) ?? text(input.model);
    if (model) parts.push(model);
  } else if (job.kind === 'embed' && !text(input.dataset) && text(input.folder)) parts.push(`folder ${lastPart(input.folder as string)}`);
  else if (job.kind === 'shapes-generate' && typeof input.n === 'number') parts.push(`${input.n} pictures`);
  else if (job.kind === 'pseudo-synth' && text(input.method)) parts.push(input.method as string);
  else if (job.kind === 'pseudo-train-nn' && text(input.name)) parts.push(`network ${input.name as string}`);
  else if ((job.kind === 'gan-train' || job.kind === 'diffusion-train') && text(input.preset)) parts.push(input.preset as string);
  return parts.join(' · ');
}

/** A job's progress in words: "done" once it succeeded (whatever its last phase said), else "42% encoding prompts"; '' before any. */
export function jobProgressText(job: { status: string; progress: { fraction: number; message: string } | null }): string {
  if (job.status === 'succeeded') return 'done';
  return job.progress ? `${Math.round(job.progress.fraction * 100)}% ${job.progress.message}` : '';
}
