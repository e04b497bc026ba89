/**
 * QianfanTenant's wiring: no secret anywhere in the synthesized JSON, the connector
 * following the app's rotation trigger, the schedule re-created with a replaced
 * connector, and the props that used to be accepted and silently wrong now refused.
 */
import { QianfanProvider, QianfanTenant, type QianfanTenantProps } from '../../constructs';
import { App, TerraformStack, Testing, Token } from '../../constructs/framework';
import { PropsError } from '../../constructs/validation';

interface Json {
  resource: Record<string, Record<string, Record<string, unknown>>>;
}

function build(props: Partial<QianfanTenantProps> = {}): { stack: TerraformStack; tenant: QianfanTenant; json: Json; text: string } {
  const app = Testing.app() as App;
  const stack = new TerraformStack(app, 'test');
  new QianfanProvider(stack, 'qianfan');
  const tenant = new QianfanTenant(stack, 't1', { apaasTenantId: 't1', corpKey: 'apaas', ...props });
  const text = Testing.synth(stack);
  return { stack, tenant, json: JSON.parse(text) as Json, text };
}

const only = (o: Record<string, Record<string, unknown>>) => Object.values(o)[0]!;

test('no secret is passed anywhere: the connector gets the client id and follows the app\'s version', () => {
  const { json, text } = build();
  const connector = only(json.resource.qianfan_apaas_hr_connector);
  const [appId] = Object.keys(json.resource.qianfan_yufu_oidc_app);
  expect(connector.client_id).toBe(`\${qianfan_yufu_oidc_app.${appId}.client_id}`);
  expect(connector.client_secret_version).toBe(`\${qianfan_yufu_oidc_app.${appId}.client_secret_version}`);
  expect(only(json.resource.qianfan_yufu_oidc_app).client_secret_version).toBe(1);
  expect(text).not.toMatch(/client_secret(?!_version|_in_sync)/);
});

test('the schedule only depends on the connector: it survives a replaced connector (aPaaS keeps it)', () => {
  const { json } = build();
  const [connectorId] = Object.keys(json.resource.qianfan_apaas_hr_connector);
  const schedule = only(json.resource.qianfan_apaas_sync_schedule) as { depends_on: string[]; lifecycle?: unknown };
  expect(schedule.depends_on).toEqual([`qianfan_apaas_hr_connector.${connectorId}`]);
  expect(schedule.lifecycle).toBeUndefined();
});

test('secretVersion null: no rotation trigger on the app or the connector', () => {
  const { json } = build({ secretVersion: null });
  expect(only(json.resource.qianfan_yufu_oidc_app)).not.toHaveProperty('client_secret_version');
  expect(only(json.resource.qianfan_apaas_hr_connector)).not.toHaveProperty('client_secret_version');
});

test('a legacy secretHandling is accepted, ignored, and warned about at synth', () => {
  for (const legacy of ['state', 'write-only'] as const) {
    const { tenant, json } = build({ secretHandling: legacy });
    const warnings = tenant.node.metadata.filter((m) => /warn/i.test(m.type)).map((m) => String(m.data));
    expect(warnings.join('\n')).toMatch(/secretHandling .* is deprecated and ignored/);
    expect(only(json.resource.qianfan_apaas_hr_connector)).not.toHaveProperty('client_secret_wo');
  }
});

test('an ehrAdminUrl that is a token is refused (the Corp Key is read off it at synth)', () => {
  expect(() => build({ corpKey: undefined, ehrAdminUrl: Token.asString({ resolve: () => 'x' }) })).toThrow(PropsError);
  expect(() => build({ corpKey: undefined, ehrAdminUrl: Token.asString({ resolve: () => 'x' }) })).toThrow(/ehrAdminUrl: expected the E-HR admin URL as a literal string/);
});

test('sso.clientSecretVersion is refused: rotation is secretVersion, which the connector follows', () => {
  expect(() => build({ sso: { clientSecretVersion: 3 } as never })).toThrow(/sso\.clientSecretVersion: expected no clientSecretVersion here: rotate with secretVersion/);
});

describe('importExisting: import blocks for what was set up in the consoles', () => {
  const appId = 'app_5f1d0c9e8b7a6f5e4d3c2b1a';
  type WithImports = Json & { import?: { to: string; id: string; provider?: string }[] };

  test('the app by its id, the connector and the schedule by the tenant id, each to its own address', () => {
    const { json } = build({ importExisting: { appId, connector: true, schedule: true } }) as { json: WithImports };
    const address = (type: string) => `${type}.${Object.keys(json.resource[type])[0]}`;
    expect(json.import).toEqual([
      { to: address('qianfan_yufu_oidc_app'), id: appId },
      { to: address('qianfan_apaas_hr_connector'), id: 't1' },
      { to: address('qianfan_apaas_sync_schedule'), id: 't1' },
    ]);
  });

  test('only what is named; none by default; no schedule import without a schedule', () => {
    expect((build({ importExisting: { appId } }).json as WithImports).import).toHaveLength(1);
    expect((build().json as WithImports).import).toBeUndefined();
    expect((build({ importExisting: { connector: true, schedule: false } }).json as WithImports).import?.map((i) => i.id)).toEqual(['t1']);
  });

  test('an app id that is not one, or a schedule import with schedule false, is refused with the reason', () => {
    expect(() => build({ importExisting: { appId: 'ai-0f3100cfb703083bb3a09c7d4bedc53f' } })).toThrow(
      /importExisting\.appId: expected the Yufu app id: "app_" and 24 lowercase hex characters \(the id, not the client id "ai-…"\)/,
    );
    expect(() => build({ schedule: false, importExisting: { appId, connector: true, schedule: true } })).toThrow(/importExisting\.schedule: expected no schedule import with schedule false/);
    expect(() => build({ importExisting: { appId, connector: true, extra: 1 } as never })).toThrow(PropsError);
  });
});
