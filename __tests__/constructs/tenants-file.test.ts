/** The tenants file: valid files become stacks; invalid ones fail with file:line:column, the field and the value. */
import { Testing } from '../../constructs/framework';
import { parseTenantsFile, tenantsByStack, TenantsFileError } from '../../constructs/tenants-file';
import { TenantsStack } from '../../constructs/tenants-stack';
import { buildApp } from '../../main';

function problems(text: string) {
  try {
    parseTenantsFile(text, 'tenants.yaml');
  } catch (error) {
    if (error instanceof TenantsFileError) return error.problems;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

const valid = `
defaults:
  schedule: { cron: "0 2 * * *", timeZone: Asia/Shanghai }
tenants:
  - id: t1
    ehrAdminUrl: https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation
  - id: t2
    corpKey: sales
    stack: sales
    schedule: false
  - id: t3
    corpKey: hq
    sso: { name: HQ SSO }
`;

test('a valid file groups tenants by stack and applies defaults', () => {
  const stacks = tenantsByStack(parseTenantsFile(valid));
  expect([...stacks.keys()]).toEqual(['tenants', 'sales']);
  expect(stacks.get('tenants')!.map((t) => t.id)).toEqual(['t1', 't3']);
  expect(stacks.get('tenants')![0].schedule).toEqual({ cron: '0 2 * * *', timeZone: 'Asia/Shanghai' });
  expect(stacks.get('sales')![0].schedule).toBe(false);
});

test('JSON is accepted too (YAML is a superset)', () => {
  expect(parseTenantsFile(JSON.stringify({ tenants: [{ id: 'j1', corpKey: 'abc' }] })).tenants[0].id).toBe('j1');
});

test.each([
  ['Corp Key with uppercase', 'tenants:\n  - id: t1\n    corpKey: APaaS\n', 3, 'tenants[0].corpKey', /lowercase.*got "APaaS"/],
  ['Corp Key with a dot', 'tenants:\n  - id: t1\n    corpKey: a.b\n', 3, 'tenants[0].corpKey', /lowercase letters and digits.*got "a\.b"/],
  ['malformed E-HR URL', 'tenants:\n  - id: t1\n    ehrAdminUrl: https://ehr.example.com/x\n', 3, 'tenants[0].ehrAdminUrl', /ehrnew-\{corpKey\}/],
  ['invalid cron', 'tenants:\n  - id: t1\n    corpKey: a\n    schedule: { cron: "61 * * * *" }\n', 4, 'tenants[0].schedule.cron', /valid cron/],
  ['unknown time zone', 'tenants:\n  - id: t1\n    corpKey: a\n    schedule:\n      cron: "0 2 * * *"\n      timeZone: Mars/Base\n', 6, 'tenants[0].schedule.timeZone', /IANA.*got "Mars\/Base"/],
  ['no Corp Key at all', 'tenants:\n  - id: t1\n', 2, 'tenants[0].corpKey', /ehrAdminUrl .* or corpKey/],
  ['duplicate ids', 'tenants:\n  - id: t1\n    corpKey: a\n  - id: t1\n    corpKey: b\n', 4, 'tenants[1].id', /duplicate tenant id/],
  ['unknown field (a typo)', 'tenants:\n  - id: t1\n    corpkey: a\n', 2, 'tenants[0]', /unrecognized key.*corpkey/i],
  ['bad tenant id', 'tenants:\n  - id: "bad id!"\n    corpKey: a\n', 2, 'tenants[0].id', /aPaaS tenant id.*got "bad id!"/],
  ['localhost redirect URI', 'tenants:\n  - id: t1\n    corpKey: a\n    sso: { redirectUris: ["http://localhost:3000/cb"] }\n', 4, 'tenants[0].sso.redirectUris[0]', /localhost/],
  ['no tenants', 'tenants: []\n', 1, 'tenants', /at least one tenant/],
])('%s → line and field', (_what, text, line, path, message) => {
  const [p] = problems(text);
  expect(p.line).toBe(line);
  expect(p.path).toBe(path);
  expect(p.message).toMatch(message);
});

test('YAML syntax errors carry a position', () => {
  const [p] = problems('tenants:\n  - id: t1\n   corpKey: [a\n');
  expect(p.path).toBe('(syntax)');
  expect(p.line).toBeGreaterThanOrEqual(2);
});

test('the error message lists every problem as file:line:column: field: message', () => {
  expect(() => parseTenantsFile('tenants:\n  - id: t1\n    corpKey: A\n  - id: t2\n    corpKey: B\n', 'my.yaml')).toThrow(
    /my\.yaml:3:14: tenants\[0\]\.corpKey: .*\n\s+my\.yaml:5:14: tenants\[1\]\.corpKey: /,
  );
});

test('a stack of tenants synthesizes one set of resources and outputs per tenant, no secrets', () => {
  const stacks = tenantsByStack(parseTenantsFile(valid));
  const app = Testing.app();
  const stack = new TenantsStack(app, 'tenants', stacks.get('tenants')!);
  const text = Testing.synth(stack);
  const json = JSON.parse(text) as {
    resource: Record<string, Record<string, unknown>>;
    output: Record<string, { sensitive?: boolean }>;
    data: Record<string, Record<string, { tenant_id?: string }>>;
    check: Record<string, { assert: { condition: string }[] }>;
  };
  expect(Object.keys(json.resource.qianfan_apaas_hr_connector)).toHaveLength(2);
  expect(Object.keys(json.resource.qianfan_yufu_oidc_app)).toHaveLength(2);
  expect(Object.keys(json.output).sort()).toEqual(['tenant_t1', 'tenant_t3']);
  expect(Object.values(json.output).some((o) => o.sensitive)).toBe(false);
  expect(text).not.toMatch(/client_secret(?!_version|_in_sync)/);
  // One sync check per tenant, on its own status data source.
  expect(Object.keys(json.check).sort()).toEqual(['tenant_t1_sync', 'tenant_t3_sync']);
  expect(json.data.qianfan_apaas_sync_status.tenant_t3).toMatchObject({ tenant_id: 't3' });
  expect(json.check.tenant_t3_sync.assert[0].condition).toContain('data.qianfan_apaas_sync_status.tenant_t3.last_run_status');
});

test('main.ts builds the stacks of tenants.yaml', () => {
  const app = buildApp(Testing.app().outdir);
  expect(app.node.children.map((c) => c.node.id)).toEqual(['tenants']);
});
