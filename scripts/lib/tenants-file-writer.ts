/**
 * Adds tenant entries to the tenants file with the `yaml` package's Document API, so
 * that what is there stays: entries, their order, comments, quoting, blank lines — and,
 * where the file already lists tenants in block style, every byte of it: the new entry
 * is rendered as a YAML node and inserted right after the last one, at the list's own
 * indentation. Otherwise (a new file, an empty or flow-style list) the document is
 * edited as a tree and rendered again, which keeps comments and order but may normalise
 * spacing. The result is validated as a tenants file before anything is written, and
 * written atomically (a temporary file renamed over the old one). A `.json` tenants file
 * is written as JSON, which has no comments.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { parseTenantsFile, TenantsFileError, type TenantEntry, type TenantsFile } from '../../constructs/tenants-file';

const NEW_FILE = [
  '# The tenants this repository manages (fields: constructs/tenants-file.ts).',
  '# Created by `npm run adopt`; edit freely: adopt keeps entries, comments and order.',
  'tenants: []',
  '',
].join('\n');

/** Comments adopt puts on the settings it writes, so the file explains itself. */
export const COMMENTS = {
  secretVersionNull:
    " The app's secret was made in the console and carries no version. Setting a number\n" +
    ' later only records it (no rotation); changing that number afterwards rotates the\n' +
    ' secret, and the connector follows in the same apply.',
  noSchedule: ' aPaaS has no sync schedule for this tenant; false keeps it so (remove it to add the default one).',
  waitForInitialSync: " What the import records; the file's defaults apply to newly created connectors only.",
  import: ' The next plan imports these instead of creating them; once applied, this does nothing: remove it then.',
};

const RENDER = { lineWidth: 0 } as const;

/** The entry as a YAML node, with comments on what adopt decided. */
function entryNode(doc: Document, entry: TenantEntry, header: string): YAMLMap {
  const node = doc.createNode(entry) as YAMLMap;
  node.commentBefore = ` ${header}`;
  const pair = (key: string) => node.items.find((p: Pair) => isScalar(p.key) && p.key.value === key);
  const commentOn = (key: string, comment: string) => {
    const p = pair(key);
    if (p && isScalar(p.key)) (p.key as Scalar).commentBefore = comment;
  };
  if (entry.secretVersion === null) commentOn('secretVersion', COMMENTS.secretVersionNull);
  if (entry.schedule === false) commentOn('schedule', COMMENTS.noSchedule);
  if (entry.waitForInitialSync !== undefined) commentOn('waitForInitialSync', COMMENTS.waitForInitialSync);
  const imports = pair('import');
  if (imports && isMap(imports.value)) imports.value.flow = true;
  commentOn('import', COMMENTS.import);
  return node;
}

export class TenantsFileDocument {
  private constructor(
    readonly path: string,
    readonly existed: boolean,
    private current: string,
  ) {}

  /** Reads the tenants file (or starts a new one); an invalid file is refused with its problems. */
  static read(path: string): TenantsFileDocument {
    if (!existsSync(path)) return new TenantsFileDocument(path, false, NEW_FILE);
    const file = new TenantsFileDocument(path, true, readFileSync(path, 'utf8'));
    file.defaults();
    return file;
  }

  /** The current text as a document; an empty one becomes an empty mapping. */
  private parsed(lineCounter?: LineCounter): Document {
    const doc = parseDocument(this.current, lineCounter ? { lineCounter } : {});
    if (doc.errors.length > 0) this.validate(this.current); // throws with positions
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
    return doc;
  }

  private validate(text: string, what = `the tenants file ${this.path} is not valid; fix it first (nothing was written)`): TenantsFile {
    try {
      return parseTenantsFile(text, this.path);
    } catch (error) {
      if (error instanceof TenantsFileError) {
        throw new Error(`${what}:\n${error.problems.map((p) => `  ${this.path}:${p.line}:${p.column}: ${p.path}: ${p.message}`).join('\n')}`);
      }
      throw error;
    }
  }

  /**
   * The file's `defaults:`, validated with the whole file. A file without tenants yet is
   * validated with a placeholder appended (last, so the line numbers of real problems hold).
   */
  defaults(): TenantsFile['defaults'] {
    const doc = this.parsed();
    const seq = doc.get('tenants', true);
    if (isSeq(seq) && seq.items.length > 0) return this.validate(this.current).defaults;
    const placeholder = { id: 'placeholder', corpKey: 'placeholder' };
    if (isSeq(seq)) seq.items.push(doc.createNode(placeholder));
    else if (isMap(doc.contents)) doc.set('tenants', [placeholder]);
    return this.validate(doc.toString(RENDER)).defaults;
  }

  private declared?: { text: string; ids: Map<string, { index: number; line: number }> };

  /** Where a tenant id is declared already (in any stack): its index and line. */
  find(id: string): { index: number; line: number } | undefined {
    if (this.declared?.text !== this.current) {
      const lines = new LineCounter();
      const seq = this.parsed(lines).get('tenants', true);
      const ids = new Map<string, { index: number; line: number }>();
      (isSeq(seq) ? seq.items : []).forEach((item, index) => {
        const declared = isMap(item) ? item.get('id') : undefined;
        if (typeof declared === 'string' && !ids.has(declared)) ids.set(declared, { index, line: lines.linePos((item as YAMLMap).range?.[0] ?? 0).line });
      });
      this.declared = { text: this.current, ids };
    }
    return this.declared.ids.get(id);
  }

  /** Appends an entry at the end of `tenants:`. */
  append(entry: TenantEntry, header: string): void {
    const doc = this.parsed();
    if (!isMap(doc.contents)) throw new Error(`${this.path}: expected a mapping with "tenants:" at the top`);
    const found = doc.get('tenants', true);
    const seq = isSeq(found) ? found : undefined;
    const last = seq && !seq.flow ? (seq.items.at(-1) as YAMLMap | undefined) : undefined;
    if (seq?.range && last?.range) {
      // Insert the rendered entry after the last one, at the list's indentation: every byte before and after stays.
      const dash = this.current.lastIndexOf('-', last.range[0] - 1);
      const indent = ' '.repeat(dash - (this.current.lastIndexOf('\n', dash) + 1));
      const rendered = new Document([]);
      (rendered.contents as YAMLSeq).items.push(entryNode(rendered, entry, header));
      const block = rendered
        .toString(RENDER)
        .split('\n')
        .map((line) => (line === '' ? line : indent + line))
        .join('\n');
      const at = seq.range[2];
      const before = this.current.slice(0, at);
      this.current = `${before}${before.endsWith('\n') ? '' : '\n'}\n${block}${this.current.slice(at)}`;
      return;
    }
    const node = entryNode(doc, entry, header);
    if (seq) {
      seq.flow = false; // a new entry reads best in block style
      if (seq.items.length > 0) node.spaceBefore = true;
      seq.items.push(node);
    } else doc.set('tenants', doc.createNode([node]));
    this.current = doc.toString(RENDER);
  }

  text(): string {
    return this.path.endsWith('.json') ? `${JSON.stringify(this.parsed().toJS(), null, 2)}\n` : this.current;
  }

  /** Validates the whole new file, then replaces the old one atomically. */
  save(): void {
    const text = this.text();
    this.validate(text, 'the new tenants file would not be valid, so nothing was written');
    const temp = join(dirname(this.path), `.${basename(this.path)}.adopt-${process.pid}.tmp`);
    writeFileSync(temp, text, { mode: this.existed ? statSync(this.path).mode & 0o777 : 0o644 });
    renameSync(temp, this.path);
  }
}
