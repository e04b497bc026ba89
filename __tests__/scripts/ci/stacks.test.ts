/** npm run ci:stacks: which stacks a change touches (the CI matrix), and QIANFAN_STACKS. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTenantsFile } from '../../../constructs/tenants-file';
import { changedStacks, selectStacks, stacksChangedSince } from '../../../scripts/ci/stacks';
import { tempDir } from '../../helpers/workdir';

const tenant = (id: string, extra = '') => `  - id: ${id}\n    corpKey: ck${extra}`;
const file = (lines: string[], defaults = '') => parseTenantsFile(`${defaults}tenants:\n${lines.join('\n')}\n`);

const BASE = [tenant('a1') + '\n    stack: sales', tenant('a2') + '\n    stack: sales', tenant('b1') + '\n    stack: hr', tenant('c1')];

describe('changedStacks: the stacks whose configuration differs', () => {
  test.each<[string, string[], string, string[]]>([
    ['nothing changed', BASE, '', []],
    ['one tenant edited', [BASE[0].replace('corpKey: ck', 'corpKey: ckx'), ...BASE.slice(1)], '', ['sales']],
    ['a tenant added to a stack', [...BASE, tenant('b2') + '\n    stack: hr'], '', ['hr']],
    ['a tenant removed (its stack plans the destroy)', [BASE[0], BASE[2], BASE[3]], '', ['sales']],
    ['a tenant moved: both stacks', [BASE[0], tenant('a2') + '\n    stack: hr', BASE[2], BASE[3]], '', ['hr', 'sales']],
    ['a tenant in the default stack edited', [...BASE.slice(0, 3), tenant('c1', '2')], '', ['tenants']],
    ['entries reordered only', [BASE[3], BASE[2], BASE[1], BASE[0]], '', []],
    ['the last tenant of a stack removed: nothing left to synthesize there', [BASE[0], BASE[1], BASE[3]], '', []],
    ['defaults changed: every stack they reach', BASE, 'defaults:\n  schedule: { cron: "0 3 * * *", timeZone: UTC }\n', ['hr', 'sales', 'tenants']],
  ])('%s', (_what, after, defaults, expected) => {
    expect(changedStacks(file(BASE), file(after, defaults))).toEqual(expected);
  });

  test('no tenants file before: every stack', () => {
    expect(changedStacks(null, file(BASE))).toEqual(['hr', 'sales', 'tenants']);
  });
});

describe('selectStacks (QIANFAN_STACKS)', () => {
  const all = ['hr', 'sales', 'tenants'];
  test.each<[string | undefined, string[]]>([
    [undefined, all],
    ['', all],
    ['sales', ['sales']],
    [' hr , sales ', ['hr', 'sales']],
  ])('%j → %j', (selected, expected) => {
    expect(selectStacks(all, selected)).toEqual(expected);
  });

  test('a stack that does not exist is refused by name, with the ones that do', () => {
    expect(() => selectStacks(all, 'sales,finance')).toThrow('QIANFAN_STACKS: no stack "finance"; expected some of hr, sales, tenants');
  });
});

describe('stacksChangedSince: against a git revision', () => {
  const repo = tempDir('ci-stacks-repo');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, encoding: 'utf8' });
  const path = join(repo, 'tenants.yaml');
  const write = (lines: string[]) => writeFileSync(path, `tenants:\n${lines.join('\n')}\n`);

  beforeAll(() => {
    mkdirSync(repo, { recursive: true });
    git('init', '-q', '-b', 'main');
    write(BASE);
    git('add', '.');
    git('commit', '-q', '-m', 'base');
  });

  test('the working tree against HEAD: only the edited tenant\'s stack', () => {
    write([BASE[0], BASE[1], BASE[2].replace('corpKey: ck', 'corpKey: ckhr'), BASE[3]]);
    expect(stacksChangedSince('HEAD', path)).toEqual(['hr']);
  });

  test('a revision without the tenants file: every stack', () => {
    git('checkout', '-q', '--orphan', 'empty');
    git('rm', '-q', '-f', '--cached', 'tenants.yaml');
    git('commit', '-q', '--allow-empty', '-m', 'empty');
    expect(stacksChangedSince('empty', path)).toEqual(['hr', 'sales', 'tenants']);
  });

  test('a stack left without tenants: not listed (nothing to synthesize), named on stderr', () => {
    write([BASE[0], BASE[1], BASE[3]]);
    const said = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(stacksChangedSince('main', path)).toEqual([]);
      expect(said.mock.calls.map(([text]) => String(text)).join('')).toContain('ci:stacks: stack "hr" has no tenants any more; its state still holds their objects');
    } finally {
      said.mockRestore();
      write(BASE);
    }
  });

  test("a branch's first push (GitHub's before = 40 zeros): every stack", () => {
    expect(stacksChangedSince('0'.repeat(40), path)).toEqual(['hr', 'sales', 'tenants']);
  });

  test('a revision that does not exist: a clear error', () => {
    expect(() => stacksChangedSince('no-such-ref', path)).toThrow(/no-such-ref/);
  });
});
