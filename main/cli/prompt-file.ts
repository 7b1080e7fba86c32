/**
 * `lafite eval --prompts FILE`: one prompt a line, blank lines and the whitespace around each
 * prompt ignored. The CLI reads the file and sends the prompts themselves (with the file's
 * path as a label), so the job's stored input reproduces the evaluation without the file.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MAX_EVAL_PROMPTS, MAX_PROMPT_CHARS } from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';

/** The prompts of a prompt file's text, with the line of any that is too long named. */
export function parsePromptLines(text: string, file: string): string[] {
  const prompts: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const prompt = line.trim();
    if (prompt === '') return;
    if (prompt.length > MAX_PROMPT_CHARS) throw invalidInput(`--prompts ${file}, line ${i + 1}: a prompt of ${prompt.length} characters; at most ${MAX_PROMPT_CHARS}`, 'prompts');
    prompts.push(prompt);
  });
  if (prompts.length === 0) throw invalidInput(`--prompts ${file}: no prompts in it (one prompt a line)`, 'prompts');
  if (prompts.length > MAX_EVAL_PROMPTS) throw invalidInput(`--prompts ${file}: ${prompts.length} prompts; at most ${MAX_EVAL_PROMPTS}`, 'prompts');
  return prompts;
}

/** Reads a prompt file: its absolute path and its prompts. */
export async function readPromptFile(file: string): Promise<{ promptFile: string; prompts: string[] }> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw invalidInput(`--prompts ${file}: cannot read it (${reason})`, 'prompts');
  }
  return { promptFile: path, prompts: parsePromptLines(text, file) };
}
