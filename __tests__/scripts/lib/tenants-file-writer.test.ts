/**
 * The tenants-file writer: what was in the file stays (entries, order, comments — and,
 * with a block list of tenants, every byte), a missing file is created, the result is
 * always a valid tenants file, and an invalid file is refused before anything is written.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseTenantsFile, type TenantEntry } from '../../../constructs/tenants-file';
import { ROOT } from '../../../scripts/lib/paths';
import { COMMENTS, TenantsFileDocument } from '../../../scripts/lib/tenants-file-writer';
import { tempDir } from '../../helpers/workdir';

const adopted: TenantEntry = {
  id: 'hr-cn',
  corpKey: 'hrcn',
  secretVersion: null,
  sso: { name: 'HR 单点登录', description: '', scopes: ['openid', 'profile', 'email'] },
  schedule: { cron: '30 1 * * 1-5', timeZone: 'Europe/Berlin', mode: 'full' },
  import: { appId: 'app_0123456789abcdef01234567', connector: true, schedule: true },
};

function fileWith(text: string | null, name = 'tenants.yaml'): string {
  const path = join(tempDir('writer'), name);
  if (text !== null) writeFileSync(path, text);
  return path;
}

function appendAndSave(path: string, ...entries: TenantEntry[]): string {
  const doc = TenantsFileDocument.read(path);
  for (const e of entries) doc.append(e, 'adopted in a test');
  doc.save();
  return readFileSync(path, 'utf8');
}

test("the repository's tenants.yaml: every byte kept, the entry appended after the last one", () => {
  const original = readFileSync(join(ROOT, 'tenants.yaml'), 'utf8');
  const text = appendAndSave(fileWith(original), adopted);
  expect(text.startsWith(original)).toBe(true);
  const file = parseTenantsFile(text);
  expect(file.tenants.map((t) => t.id)).toEqual(['demo-tenant-001', 'hr-cn']);
  expect(file.tenants[1]).toEqual(adopted);
  expect(text.slice(original.length)).toBe(`
  # adopted in a test
  - id: hr-cn
    corpKey: hrcn
    #${COMMENTS.secretVersionNull.replace(/\n/g, '\n    #')}
    secretVersion: null
    sso:
      name: HR 单点登录
      description: ""
      scopes:
        - openid
        - profile
        - email
    schedule:
      cron: 30 1 * * 1-5
      timeZone: Europe/Berlin
      mode: full
    #${COMMENTS.import}
    import: { appId: app_0123456789abcdef01234567, connector: true, schedule: true }
`);
});

test('odd but valid layouts keep every byte: a list at column 0, 4-space indentation, comments and keys after the list, no final newline', () => {
  const layouts = [
    'tenants:\n- id: a   # first\n  corpKey: abc\n',
    'defaults:\n    waitForInitialSync: true\ntenants:\n    -   id: a\n        corpKey: abc   # spaced\n    # about the next one\n    -   id: b\n        corpKey: def\n\n# the end\n',
    '# top\ntenants:\n  - { id: a, corpKey: abc }\n# between\ndefaults:\n  schedule: false\n',
    'tenants:\n  - id: a\n    corpKey: abc',
  ];
  for (const original of layouts) {
    const text = appendAndSave(fileWith(original), adopted);
    // Without the new entry (and the blank line before it) the text is the original.
    expect(text.replace(/\n? *# adopted in a test\n(.|\n)*?import: \{[^\n]*\n/, '')).toBe(original.endsWith('\n') ? original : `${original}\n`);
    const ids = parseTenantsFile(text).tenants.map((t) => t.id);
    expect(ids[ids.length - 1]).toBe('hr-cn');
    expect(ids.slice(0, -1)).toEqual((parse(original) as { tenants: { id: string }[] }).tenants.map((t) => t.id));
  }
});

test('a missing file is created; two entries go in order, each with its comments', () => {
  const path = fileWith(null);
  const text = appendAndSave(path, adopted, { id: 'no-schedule', corpKey: 'nos', schedule: false, import: { appId: 'app_aaaaaaaaaaaaaaaaaaaaaaaa', connector: true } });
  expect(text).toMatch(/^# The tenants this repository manages/);
  expect(text).toContain(`#${COMMENTS.noSchedule}\n    schedule: false`);
  const file = parseTenantsFile(text);
  expect(file.tenants.map((t) => t.id)).toEqual(['hr-cn', 'no-schedule']);
  expect(statSync(path).mode & 0o777).toBe(0o644);
});

test('an empty list, a flow list and a file with only defaults become block lists; comments stay', () => {
  for (const original of ['# mine\ntenants: []\n', 'tenants: [ { id: a, corpKey: abc } ]  # flow\n', '# just defaults\ndefaults:\n  schedule: false  # none\n', '']) {
    const text = appendAndSave(fileWith(original), adopted);
    for (const comment of original.match(/#[^\n]*/g) ?? []) expect(text).toContain(comment.replace(/^#\s*/, ''));
    const file = parseTenantsFile(text);
    expect(file.tenants.at(-1)).toEqual(adopted);
    expect(text).toMatch(/\n {2}- id: hr-cn\n/);
  }
});

test('a JSON tenants file stays JSON, in order', () => {
  const path = fileWith(JSON.stringify({ tenants: [{ id: 'a', corpKey: 'abc' }] }, null, 2), 'tenants.json');
  const text = appendAndSave(path, adopted);
  const json = JSON.parse(text) as { tenants: TenantEntry[] };
  expect(json.tenants).toEqual([{ id: 'a', corpKey: 'abc' }, adopted]);
});

test('find: the index and line of a declared tenant, in any stack', () => {
  const doc = TenantsFileDocument.read(fileWith('tenants:\n  - id: a\n    corpKey: abc\n  - id: b\n    corpKey: def\n    stack: other\n'));
  expect(doc.find('b')).toEqual({ index: 1, line: 4 });
  expect(doc.find('c')).toBeUndefined();
  doc.append(adopted, 'x');
  expect(doc.find('hr-cn')?.index).toBe(2);
});

test('an invalid file is refused with file:line:column, and nothing is written', () => {
  const original = 'tenants:\n  - id: a\n    corpKey: NOT_A_KEY\n';
  const path = fileWith(original);
  expect(() => TenantsFileDocument.read(path)).toThrow(new RegExp(`is not valid; fix it first \\(nothing was written\\):\\n  ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:14: tenants\\[0\\]\\.corpKey: `));
  expect(() => TenantsFileDocument.read(fileWith('tenants: [\n'))).toThrow(/is not valid/);
  expect(readFileSync(path, 'utf8')).toBe(original);
});

test('an entry that would make the file invalid is not written; a kept mode, no temporary file left', () => {
  const original = 'tenants:\n  - id: a\n    corpKey: abc\n';
  const path = fileWith(original);
  chmodSync(path, 0o600);
  const doc = TenantsFileDocument.read(path);
  doc.append({ ...adopted, id: 'a' }, 'a duplicate');
  expect(() => doc.save()).toThrow(/the new tenants file would not be valid, so nothing was written:.*\n.*duplicate tenant id/);
  expect(readFileSync(path, 'utf8')).toBe(original);
  appendAndSave(path, adopted);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(readdirSync(join(path, '..')).filter((f) => f.includes('.tmp'))).toEqual([]);
  expect(existsSync(path)).toBe(true);
});
