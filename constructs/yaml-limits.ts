/**
 * Bounds on the tenants file's YAML, checked before and after parsing, because the
 * parser's own costs grow faster than the file: 100,000 nested "[" (100 KB) exhaust
 * Node's memory inside the YAML library, and its duplicate-key check is quadratic
 * (a map of 100,000 keys takes minutes). Measured with yaml 2.9 on this project's
 * machine; docs/rules.md lists the limits.
 */
import { isScalar, visit, type Document } from 'yaml';

/** Far deeper than a tenants file needs (tenants → tenant → sso → redirectUris → URI is 5). */
export const MAX_DEPTH = 32;

/**
 * The offset where nesting first goes deeper than MAX_DEPTH, counting flow collections
 * ("[", "{" where a value may start; not inside quotes, comments or plain text) and
 * block indentation levels; undefined when the file stays within it.
 */
export function tooDeep(text: string): number | undefined {
  let flow = 0;
  const indents: number[] = [];
  let quote: '"' | "'" | undefined;
  let lineStart = true;
  let indent = 0;
  let previous = '\n';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      lineStart = true;
      indent = 0;
      previous = '\n';
      if (quote === "'") quote = undefined; // plain multi-line quoting is rare; never let it hide brackets forever
      continue;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (lineStart) {
      if (c === ' ' || c === '-' || c === '\t') {
        indent++;
        if (c === '-' && text[i + 1] === ' ' && flow === 0) {
          // A sequence entry is one level deeper than its dash.
          while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
          indents.push(indent);
        }
        continue;
      }
      lineStart = false;
      if (c === '#' || c === '\r') continue;
      if (flow === 0) {
        while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
        indents.push(indent);
        if (indents.length > MAX_DEPTH) return i;
      }
    }
    if (c === '#' && (previous === ' ' || previous === '\n')) {
      const end = text.indexOf('\n', i);
      if (end === -1) break;
      i = end - 1;
      continue;
    }
    if (c === '"' || c === "'") {
      if ('[{,:- \n'.includes(previous)) quote = c;
    } else if ((c === '[' || c === '{') && '[{,:- \n'.includes(previous)) {
      if (++flow + indents.length > MAX_DEPTH) return i;
    } else if ((c === ']' || c === '}') && flow > 0) {
      flow--;
    }
    if (c !== ' ') previous = c;
    else if (previous !== ' ') previous = ' ';
  }
  return undefined;
}

/** Duplicate keys of every map, in one pass (the parser's own check is quadratic). */
export function duplicateKeys(doc: Document): { offset: number; key: string }[] {
  const found: { offset: number; key: string }[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(pair.key);
        if (seen.has(k)) found.push({ offset: (pair.key as { range?: [number] } | null)?.range?.[0] ?? 0, key: k });
        seen.add(k);
      }
    },
  });
  return found;
}
