/**
 * The provider and the emulated services agree on every input: the same generated
 * values, valid and invalid, go to the provider's validate RPC (the real handler, with
 * msgpack-encoded config), to the emulator's validation (its functions, and for ids
 * and schedules its HTTP API too) and to the constructs' zod schemas. A disagreement in verdict, in the field named, or in
 * the message fails the test with the input. Sets are deduplicated first, as Terraform
 * does before the provider sees them; unset arguments reach the service as the
 * provider sends them, with their schema defaults.
 */
import { create } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { validateConnector } from '../../../emulator/apaas/api';
import { validateSchedule } from '../../../emulator/apaas/schedules';
import { ApiError } from '../../../emulator/http';
import { validateCreate, DEFAULTS } from '../../../emulator/yufu/validation';
import { QianfanProvider, QianfanTenant, YufuOidcApplication } from '../../../constructs';
import { Testing, TerraformStack } from '../../../constructs/framework';
import { PropsError } from '../../../constructs/validation';
import { qianfanProvider } from '../../../providers/qianfan/provider';
import { CtyNumber, encodeValue, type CtyValue } from '../../../providers/runtime/cty';
import * as pb from '../../../providers/runtime/gen/tfplugin6_pb';
import type { ObjectValue } from '../../../providers/runtime/interfaces';
import { blockType } from '../../../providers/runtime/schema';
import { createProviderServer } from '../../../providers/runtime/server';
import { startEmulator, type RunningEmulator } from '../../../scripts/lib/emulator';
import { ApaasApi, readApaasCredentials } from '../../helpers/tc3';
import { tempDir } from '../../helpers/workdir';

// ---------------------------------------------------------------- the two sides

const server = createProviderServer(qianfanProvider);

interface Verdict {
  /** Fields refused, with the message for each. */
  errors: { field: string; message: string }[];
}

/** The provider's ValidateResourceConfig, as Terraform calls it. */
async function provider(typeName: string, values: Record<string, unknown>): Promise<Verdict> {
  const resource = qianfanProvider.resources.find((r) => r.typeName === typeName)!;
  const config: ObjectValue = Object.fromEntries(Object.keys(resource.schema.block.attributes).map((k) => [k, null]));
  const cty = (v: unknown): CtyValue => (typeof v === 'number' ? CtyNumber.of(v) : Array.isArray(v) ? v.map(cty) : (v as CtyValue));
  for (const [k, v] of Object.entries(values)) if (v !== undefined) config[k] = cty(v);
  const request = create(pb.ValidateResourceConfig_RequestSchema, {
    typeName,
    config: { msgpack: encodeValue(blockType(resource.schema.block), config) },
    clientCapabilities: { writeOnlyAttributesAllowed: true },
  });
  const response = await server.validateResourceConfig(request);
  return {
    errors: response.diagnostics
      .filter((d) => d.severity === pb.Diagnostic_Severity.ERROR)
      .map((d) => {
        const step = d.attribute?.steps[0]?.selector;
        return { field: step?.case === 'attributeName' ? step.value : '(none)', message: d.detail };
      }),
  };
}

/** The emulator's validation function: its first problem, or none. */
function emulator(validate: () => unknown): { field: string; message: string } | null {
  try {
    validate();
    return null;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // "redirect_uris[3]: …" and the provider's "redirect_uris: …" (its path carries the index).
    return { field: error.field ?? '(none)', message: error.message.replace(/^(\w+)\[\d+\]:/, '$1:') };
  }
}

const tally: Record<string, { valid: number; invalid: number }> = {};

function agree(what: string, input: unknown, p: Verdict, e: { field: string; message: string } | null): void {
  const t = (tally[what] ??= { valid: 0, invalid: 0 });
  const show = () => `${what}: ${JSON.stringify(input)}\n  provider: ${JSON.stringify(p.errors)}\n  emulator: ${JSON.stringify(e)}`;
  if (p.errors.length === 0 && e === null) {
    t.valid++;
    return;
  }
  if (p.errors.length === 0 || e === null) throw new Error(`disagreement on the verdict\n${show()}`);
  const same = p.errors.filter((x) => x.field === e.field);
  if (same.length === 0) throw new Error(`the emulator refuses a field the provider accepts\n${show()}`);
  if (!same.some((x) => x.message === e.message)) throw new Error(`different messages for the same field\n${show()}`);
  t.invalid++;
}

const dedupe = <T>(xs: T[] | undefined): T[] | undefined => (xs === undefined ? undefined : [...new Set(xs)]);
/**
 * What the provider sends: Terraform (go-cty) normalizes every string to NFC before a
 * provider sees it, so the service receives NFC too (e.g. U+F9F1 arrives as U+4E3D).
 */
const asSent = <T>(value: T): T =>
  (typeof value === 'string' ? value.normalize('NFC') : Array.isArray(value) ? value.map(asSent) : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asSent(v)])) : value) as T;
/** Terraform strings are UTF-8: lone surrogates never reach a provider. */
const wellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

// ---------------------------------------------------------------- generators

const text = (max: number) =>
  fc
    .oneof(
      fc.string({ minLength: 1, maxLength: Math.min(max, 40) }),
      fc.string({ unit: 'grapheme', maxLength: max + 4 }),
      fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '\u0000', '\n', '\t', '\r', '\u007f', '\u0085', '\u202e', '\u2066', '😀', '单', '\u200b'), maxLength: max + 4 }),
      fc.constantFrom('', ' ', '   ', 'x'.repeat(max), 'x'.repeat(max + 1), '😀'.repeat(max), '😀'.repeat(max + 1), 'aPaaS 演示租户 SSO'),
    )
    .filter(wellFormed);

const url = fc.oneof(
  { weight: 4, arbitrary: fc
    .record({
      scheme: fc.constantFrom('https', 'https', 'http', 'HTTPS', 'ftp', 'javascript'),
      user: fc.constantFrom('', '', '', 'u:p@', 'u@', ':@'),
      host: fc.constantFrom('apaas.weworkpro.tencent-cloud.com', 'x.example.com', '127.0.0.1', '127.0.0.2', '127.1', '0x7f.0.0.1', '[::1]', '[::2]', 'localhost', 'app.localhost', 'LOCALHOST', '256.1.1.1', 'exa mple.com', ''),
      port: fc.constantFrom('', '', ':8080', ':0', ':65536'),
      path: fc.constantFrom('/', '/t1/', '/cb', '', '/a b', '/a\nb', '/a\tb', '/%00', '/sso/tn-1/ai-1/oidc/.well-known/openid-configuration', '/.well-known/openid-configuration', '/.well-known/openid-configuration/'),
      query: fc.constantFrom('', '', '?x=1', '?'),
      fragment: fc.constantFrom('', '', '', '#', '#frag'),
    })
    .map((p) => `${p.scheme}://${p.user}${p.host}${p.port}${p.path}${p.query}${p.fragment}`) },
  { weight: 1, arbitrary: fc.oneof(text(30), fc.constantFrom(`https://x.example.com/${'a'.repeat(2030)}`, `https://x.example.com/${'a'.repeat(2040)}`, ' https://x.example.com/', 'https://x.example.com/ ')) },
);

/** Mostly valid values, so that each property sees both verdicts often. */
const mostly = <T>(valid: fc.Arbitrary<T>, any: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: any });
const validText = (max: number) => fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '-', '单', '😀', 'é'), minLength: 1, maxLength: max }).filter((v) => v.trim().length > 0);
const validUrl = fc
  .tuple(fc.constantFrom('https://apaas.weworkpro.tencent-cloud.com/', 'http://127.0.0.1:8080/', 'http://[::1]/', 'https://x.example.com/', 'http://127.0.0.9/'), fc.stringMatching(/^[a-z0-9/_-]{0,12}$/), fc.constantFrom('', '?x=1'))
  .map(([base, path, query]) => `${base}${path}${query}`);
const validLifetime = (min: number, max: number) => fc.integer({ min, max });

const lifetime = fc.oneof(fc.integer({ min: -5, max: 40_000_000 }), fc.constantFrom(0, 59, 60, 86_400, 86_401, 3_599, 3_600, 31_536_000, 31_536_001, 1.5, 7200.25));
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });

const grantTypes = fc.array(fc.constantFrom('authorization_code', 'refresh_token', 'client_credentials', 'implicit', 'password', ''), { maxLength: 4 });
const scopes = fc.array(fc.constantFrom('openid', 'openid', 'profile', 'email', 'offline_access', 'phone', 'admin', 'OPENID'), { maxLength: 5 });
const appInput = fc.record({
  name: mostly(validText(64), text(64)),
  description: optional(mostly(validText(256), text(256))),
  application_type: optional(mostly(fc.constantFrom('web', 'native', 'spa'), fc.constantFrom('desktop', 'Web', ''))),
  redirect_uris: mostly(fc.array(validUrl, { minLength: 1, maxLength: 3 }), fc.array(url, { maxLength: 22 })),
  post_logout_redirect_uris: optional(mostly(fc.array(validUrl, { maxLength: 3 }), fc.array(url, { maxLength: 22 }))),
  grant_types: optional(mostly(fc.subarray(['authorization_code', 'refresh_token', 'client_credentials']).map((g) => ['authorization_code', ...g]), grantTypes)),
  scopes: optional(mostly(fc.subarray(['profile', 'email', 'offline_access', 'phone']).map((x) => ['openid', ...x]), scopes)),
  require_pkce: optional(fc.boolean()),
  access_token_lifetime: optional(mostly(validLifetime(60, 86_400), lifetime)),
  id_token_lifetime: optional(mostly(validLifetime(60, 86_400), lifetime)),
  refresh_token_lifetime: optional(mostly(validLifetime(3_600, 31_536_000), lifetime)),
});

const field = fc.constantFrom('*', '*', '0', '5', '30', '59', '60', '0,30', '1-5', '*/5', '*/10', '*/30', '*/1', '0-59/2', 'L', '?', 'MON', 'JAN', 'x', '');
const cron = fc.oneof(
  { weight: 3, arbitrary: fc.array(field, { minLength: 4, maxLength: 7 }).map((fs) => fs.join(' ')) },
  { weight: 3, arbitrary: fc.constantFrom('0 2 * * *', '30 2 * * 1-5', '0 */6 * * *', '*/5 * * * *', '0 0 1 * *', '0 0 29 2 *', '0 0 30 2 *', '0,59 0,23 * * *', '59 23 * * 6', '0 0 * * 0', '15 3 * * *') },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('0 2 * * *', '*/5 * * * *'), fc.constantFrom(' ', '  ', '\t')).map(([c, ws]) => fc.sample(fc.constantFrom(`${ws}${c}`, `${c}${ws}`, c.replace(' ', ws)), 1)[0]!) },
  { weight: 1, arbitrary: text(20) },
);
const zones = Intl.supportedValuesOf('timeZone');
const timeZone = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...zones) },
  { weight: 2, arbitrary: fc.constantFrom('UTC', 'Asia/Shanghai', 'CST', 'EST', 'EST5EDT', 'CST6CDT', 'PRC', 'GMT', 'Japan', 'asia/shanghai', 'Asia/SHANGHAI', 'Asia/Kolkata', 'Asia/Calcutta', 'Europe/Kyiv', 'US/Eastern', 'Etc/GMT-8', 'Etc/GMT+15', 'Etc/UTC', '+08:00', 'UTC+8', 'Mars/Base', '', 'Asia/Shanghai ', 'America/Argentina/Buenos_Aires', 'utc') },
);
const mode = optional(mostly(fc.constantFrom('full', 'incremental'), fc.constantFrom('sometimes', 'FULL', '')));
const validCron = fc.tuple(fc.integer({ min: 0, max: 59 }), fc.constantFrom('*', '2', '*/2', '0-23/6', '8-18'), fc.constantFrom('*', '1', '1,15'), fc.constantFrom('*', '1-6', 'JAN'), fc.constantFrom('*', '1-5', 'MON')).map((f) => f.join(' '));
const scheduleInput = fc.record({ cron: mostly(validCron, cron), time_zone: optional(mostly(fc.constantFrom(...zones, 'UTC'), timeZone)), mode, enabled: optional(fc.boolean()) });

const tenantId = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/) },
  { weight: 1, arbitrary: fc.constantFrom('', 'a'.repeat(64), 'a'.repeat(65), 'my tenant', '-a', '_a', 'a.b', '租户', 'a/b', 'a%2Fb', 't\u0000', 'demo-tenant-001') },
  { weight: 1, arbitrary: text(66) },
);

const validWellKnown = fc
  .tuple(fc.constantFrom('https://qianfan-demo-idp.cig.tencentcs.com', 'http://127.0.0.1:9', 'http://[::1]:9', 'https://idp.example.com'), fc.stringMatching(/^(\/[a-z0-9-]{1,8}){0,4}$/))
  .map(([origin, path]) => `${origin}${path}/.well-known/openid-configuration`);
const connectorInput = fc.record({
  corp_key: mostly(fc.stringMatching(/^[a-z0-9]{1,63}$/), fc.oneof(fc.constantFrom('', 'APaaS', 'a.b', 'a-b', 'a'.repeat(64), 'apaas '), text(10))),
  well_known_url: mostly(validWellKnown, url),
  client_id: mostly(fc.oneof(fc.stringMatching(/^ai-[0-9a-f]{32}$/), validText(256)), text(256)),
  client_secret: mostly(fc.oneof(fc.base64String({ minLength: 4, maxLength: 64 }), validText(256)), text(256)),
});

/** Cases per property; QIANFAN_PROPERTY_RUNS=5000 for a longer hunt. */
const RUNS = Number(process.env.QIANFAN_PROPERTY_RUNS ?? 200);

// ---------------------------------------------------------------- properties

test('Yufu OIDC apps: the provider and the emulated admin API agree', async () => {
  await fc.assert(
    fc.asyncProperty(appInput, async (raw) => {
      const input = { ...raw, redirect_uris: dedupe(raw.redirect_uris)!, post_logout_redirect_uris: dedupe(raw.post_logout_redirect_uris), grant_types: dedupe(raw.grant_types), scopes: dedupe(raw.scopes) };
      const body = asSent(Object.fromEntries(Object.entries({ ...DEFAULTS, ...input }).filter(([, v]) => v !== undefined)));
      agree('yufu app', input, await provider('qianfan_yufu_oidc_app', input), emulator(() => validateCreate(body)));
    }),
    { numRuns: RUNS },
  );
});

test('aPaaS HR connectors: the provider and the emulated admin API agree', async () => {
  await fc.assert(
    fc.asyncProperty(connectorInput, async (input) => {
      agree('hr connector', input, await provider('qianfan_apaas_hr_connector', { tenant_id: 't1', ...input }), emulator(() => validateConnector(asSent({ ...input }))));
    }),
    { numRuns: RUNS },
  );
});

test('sync schedules: the provider and the emulated admin API agree', async () => {
  const defaults = { time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true };
  await fc.assert(
    fc.asyncProperty(scheduleInput, async (input) => {
      const body = Object.fromEntries(Object.entries({ ...defaults, ...input }).map(([k, v]) => [k, v ?? defaults[k as keyof typeof defaults]]));
      agree('sync schedule', input, await provider('qianfan_apaas_sync_schedule', { tenant_id: 't1', ...input }), emulator(() => validateSchedule(asSent(body))));
    }),
    { numRuns: RUNS },
  );
});

/** The constructs' zod schemas (synth time): the same verdict, field and message as the provider. */
function construct(build: (stack: TerraformStack) => void): { field: string; message: string }[] {
  const stack = new TerraformStack(Testing.app(), 's');
  new QianfanProvider(stack, 'p');
  try {
    build(stack);
    return [];
  } catch (error) {
    if (!(error instanceof PropsError)) throw error;
    const snake = (path: string) => path.replace(/^schedule\./, '').replace(/\[\d+\]/g, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    return error.problems.map((p) => ({ field: snake(p.path), message: `${snake(p.path)}: ${p.message}` }));
  }
}

function agreeWithConstruct(what: string, input: unknown, p: Verdict, c: { field: string; message: string }[]): void {
  const t = (tally[what] ??= { valid: 0, invalid: 0 });
  const show = () => `${what}: ${JSON.stringify(input)}\n  provider: ${JSON.stringify(p.errors)}\n  construct: ${JSON.stringify(c)}`;
  const fields = (xs: { field: string }[]) => [...new Set(xs.map((x) => x.field))].sort().join(',');
  if (fields(p.errors) !== fields(c)) throw new Error(`the provider and the construct refuse different fields\n${show()}`);
  for (const x of c) if (!p.errors.some((y) => y.message === x.message)) throw new Error(`a construct message the provider does not give\n${show()}`);
  if (c.length === 0) t.valid++;
  else t.invalid++;
}

const camel = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => [k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), v]));

test('YufuOidcApplication props: the construct and the provider agree', async () => {
  await fc.assert(
    fc.asyncProperty(appInput, async (raw) => {
      const input = { ...raw, redirect_uris: dedupe(raw.redirect_uris)!, post_logout_redirect_uris: dedupe(raw.post_logout_redirect_uris), grant_types: dedupe(raw.grant_types), scopes: dedupe(raw.scopes) };
      const c = construct((stack) => new YufuOidcApplication(stack, 'Sso', asSent(camel(input)) as never));
      agreeWithConstruct('yufu app (construct)', input, await provider('qianfan_yufu_oidc_app', input), c);
    }),
    { numRuns: RUNS },
  );
});

test('QianfanTenant schedules: the construct and the provider agree', async () => {
  await fc.assert(
    fc.asyncProperty(scheduleInput, async (input) => {
      const c = construct((stack) => new QianfanTenant(stack, 'T', { apaasTenantId: 't1', corpKey: 'abc', schedule: asSent(camel(input)) as never }));
      agreeWithConstruct('sync schedule (construct)', input, await provider('qianfan_apaas_sync_schedule', { tenant_id: 't1', ...input }), c);
    }),
    { numRuns: RUNS },
  );
});

describe('through the emulator\'s HTTP API', () => {
  let emu: RunningEmulator;
  let api: ApaasApi;
  beforeAll(async () => {
    emu = await startEmulator(tempDir('emulator-property'));
    api = new ApaasApi(emu.info.apaas_url, readApaasCredentials(emu.info.apaas_credentials_file));
  });
  afterAll(() => emu?.stop());

  /** 400 names the field; anything past validation (201 created, 409 exists or no connector) accepted it. */
  const httpVerdict = (status: number, body: { error?: { field?: string; message: string } } | undefined) =>
    status === 400 ? { field: body!.error!.field ?? '(none)', message: body!.error!.message } : null;

  test('tenant ids: the provider (connector and schedule) and POST /__control/tenants agree', async () => {
    await fc.assert(
      fc.asyncProperty(tenantId, async (id) => {
        const res = await fetch(`${emu.info.apaas_url}/__control/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant_id: asSent(id) }) });
        const verdict = httpVerdict(res.status, (await res.json()) as never);
        if (res.status !== 400) expect([201, 409]).toContain(res.status);
        const forSchedule = await provider('qianfan_apaas_sync_schedule', { tenant_id: id, cron: '0 2 * * *' });
        const forConnector = await provider('qianfan_apaas_hr_connector', { tenant_id: id, corp_key: 'apaas', well_known_url: 'https://x.example.com/.well-known/openid-configuration', client_id: 'ai-1', client_secret: 's' });
        agree('tenant id (schedule)', id, forSchedule, verdict);
        agree('tenant id (connector)', id, forConnector, verdict);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  test('schedules: the provider and PUT …/sync-schedule agree (a tenant without connector: 409 once the body is valid)', async () => {
    const defaults = { time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true };
    await fc.assert(
      fc.asyncProperty(scheduleInput, async (input) => {
        const body = Object.fromEntries(Object.entries({ ...defaults, ...input }).map(([k, v]) => [k, v ?? defaults[k as keyof typeof defaults]]));
        const res = await api.call<{ error?: { code: string; field?: string; message: string } }>('PUT', `/api/v1/tenants/${emu.info.apaas_tenant_id}/sync-schedule`, asSent(body));
        if (res.status !== 400) expect(res.body.error?.code).toBe('no_connector');
        agree('sync schedule (HTTP)', input, await provider('qianfan_apaas_sync_schedule', { tenant_id: 't1', ...input }), httpVerdict(res.status, res.body));
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });
});

afterAll(() => {
  const rows = Object.entries(tally).map(([what, t]) => `  ${what}: ${t.valid + t.invalid} cases, ${t.valid} valid, ${t.invalid} invalid`);
  process.stderr.write(`\nrules property test (provider validate RPC vs emulator functions, emulator HTTP API and constructs), agreement on verdict, field and message:\n${rows.join('\n')}\n`);
  // Neither side of any property may be (nearly) empty: the generators must reach both.
  for (const [what, t] of Object.entries(tally)) {
    if (t.valid < 5 || t.invalid < 5) throw new Error(`${what}: too few ${t.valid < 5 ? 'valid' : 'invalid'} cases (${t.valid} valid, ${t.invalid} invalid); the generator needs fixing`);
  }
});
