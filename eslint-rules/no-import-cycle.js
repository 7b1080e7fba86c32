/**
 * ESLint rule `local/no-import-cycle`: a file may not import a module that imports it back,
 * directly or through others (type imports count: a cycle of types entangles the modules
 * just the same). Dynamic `import()` is left out: loading lazily is how a registry names its
 * entries without importing them. Relative imports only; other files are read from disk
 * once per lint run.
 *
 * @example
 *   // a.ts: import { b } from './b.ts';   b.ts: import type { A } from './a.ts';
 *   // → a.ts 1:1 import cycle: a.ts → b.ts → a.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const IMPORT_FROM = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;
const COMMENTS = /\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm;

/** A relative specifier as a file on disk, or null (a package, or a file that is not there). */
function resolveFile(from, specifier) {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) if (existsSync(candidate) && !candidate.endsWith('/')) return candidate;
  return null;
}

const importsOf = new Map(); // file → the files it imports statically
function staticImports(file) {
  let found = importsOf.get(file);
  if (!found) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8').replace(COMMENTS, '');
    } catch {
      // unreadable: no imports
    }
    found = [...text.matchAll(IMPORT_FROM)].map((m) => resolveFile(file, m[1])).filter((f) => f !== null);
    importsOf.set(file, found);
  }
  return found;
}

/** A path of imports from `start` back to `target`, or null. */
function pathBack(start, target) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const next of staticImports(file)) {
      if (next === target) {
        const chain = [file];
        for (let f = previous.get(file); f !== null; f = previous.get(f)) chain.unshift(f);
        return chain;
      }
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return null;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Disallow import cycles between the project’s modules.' },
    schema: [],
    messages: { cycle: 'import cycle: {{chain}}' },
  },
  create(context) {
    const file = context.filename;
    const root = context.cwd;
    const check = (node) => {
      const specifier = node.source?.value;
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const target = resolveFile(file, specifier);
      if (!target || target === file) return;
      const chain = pathBack(target, file);
      if (chain) context.report({ node, messageId: 'cycle', data: { chain: [file, ...chain, file].map((f) => relative(root, f)).join(' → ') } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};
