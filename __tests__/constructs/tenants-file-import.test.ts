/**
 * The tenants file's `import:` record (what `npm run adopt` writes): parsed, validated
 * with a position, and synthesized into import blocks by TenantsStack.
 */
import { App, Testing } from '../../constructs/framework';
import { parseTenantsFile, TenantsFileError, tenantsByStack } from '../../constructs/tenants-file';
import { TenantsStack } from '../../constructs/tenants-stack';

const appId = 'app_0123456789abcdef01234567';

test('import: becomes import blocks for that tenant only', () => {
  const file = parseTenantsFile(`tenants:
  - id: adopted
    corpKey: abc
    secretVersion: null
    import: { appId: ${appId}, connector: true, schedule: true }
  - id: fresh
    corpKey: def
`);
  expect(file.tenants[0].import).toEqual({ appId, connector: true, schedule: true });
  const [[, entries]] = [...tenantsByStack(file)];
  const stack = new TenantsStack(Testing.app() as App, 'tenants', entries);
  const json = JSON.parse(Testing.synth(stack)) as { import: { to: string; id: string }[] };
  expect(json.import.map((i) => i.id).sort()).toEqual(['adopted', 'adopted', appId]);
  expect(json.import.every((i) => i.to.includes('adopted_'))).toBe(true);
});

test('a client id given as the app id, and an unknown key, are refused at their line', () => {
  let error: unknown;
  try {
    parseTenantsFile(`tenants:
  - id: adopted
    corpKey: abc
    import:
      appId: ai-0f3100cfb703083bb3a09c7d4bedc53f
      secret: true
`);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TenantsFileError);
  const problems = (error as TenantsFileError).problems;
  expect(problems.find((p) => p.path === 'tenants[0].import.appId')).toMatchObject({ line: 5 });
  expect(problems.find((p) => p.path === 'tenants[0].import.appId')?.message).toMatch(/expected the Yufu app id/);
  expect(problems.some((p) => p.path === 'tenants[0].import' && /secret/.test(p.message))).toBe(true);
});

test('import: is a tenant setting, not a default', () => {
  expect(() => parseTenantsFile(`defaults:\n  import: { connector: true }\ntenants:\n  - { id: a, corpKey: abc }\n`)).toThrow(TenantsFileError);
});
