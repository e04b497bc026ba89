/**
 * Ephemeral resources (tfplugin6 ≥ 6.7, Terraform ≥ 1.10): schemas in GetMetadata /
 * GetProviderSchema, ValidateEphemeralResourceConfig, Open / Renew / Close with their
 * private data and renew_at, unknown config and unknown provider configuration, and
 * the rule that an ephemeral result never reaches a log or a message.
 *
 * No engine on this machine runs ephemeral resources (Terraform 1.11 would, but the
 * e2e suite does not use them yet): these tests are at the RPC level.
 */
import { create } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { CtyNumber, isUnknown, unknown } from '../../../providers/runtime/cty';
import { ProviderError, type Diagnostics } from '../../../providers/runtime/diagnostics';
import * as pb from '../../../providers/runtime/gen/tfplugin6_pb';
import type { EphemeralResourceDefinition, ObjectValue, PrivateData, ProviderDefinition } from '../../../providers/runtime/interfaces';
import { resetLogLevel } from '../../../providers/runtime/log';
import { blockType, checkSchema, type Schema } from '../../../providers/runtime/schema';
import { createProviderServer, type ProviderServer } from '../../../providers/runtime/server';
import { captureStderr, dv, errors, pathOf, privateBytes, privateData, rpc, val } from '../../helpers/provider-rpc';

const SECRET = 'tok-SECRET-7f3a9c';

const schema: Schema = {
  version: 0,
  block: {
    description: 'A short-lived token.',
    attributes: {
      audience: {
        type: 'string',
        description: '',
        required: true,
        validate: [(v, path, d: Diagnostics) => void (v === 'bad audience' && d.error('Invalid audience', 'no spaces', path))],
      },
      ttl: { type: 'number', description: '', optional: true },
      token: { type: 'string', description: '', computed: true, sensitive: true },
    },
  },
};
const TYPE = blockType(schema.block);

const events: string[] = [];
let openResult: (config: ObjectValue) => ReturnType<EphemeralResourceDefinition<string>['open']>;

const token: EphemeralResourceDefinition<string> = {
  typeName: 'test_token',
  schema,
  validate: (config, diagnostics) => {
    if (config.audience === 'forbidden') diagnostics.error('Audience not allowed', 'pick another', ['audience']);
  },
  open: async (ctx, config) => {
    events.push(`open ${ctx.client} ${String(config.audience)}`);
    return openResult(config);
  },
  renew: async (ctx, data) => {
    events.push(`renew ${ctx.client} ${JSON.stringify(data)}`);
    if (data?.lease === 'expired') throw new ProviderError('Lease expired', `lease of ${SECRET.length} chars is gone`);
    if (data?.lease === 'keep') return { renewAt: new Date('2030-01-01T00:10:00Z') };
    return { renewAt: new Date('2030-01-01T00:20:00Z'), private: { lease: 'l-2' } };
  },
  close: async (ctx, data) => void events.push(`close ${ctx.client} ${JSON.stringify(data)}`),
};

const definition: ProviderDefinition<string> = {
  name: 'test',
  version: '0',
  schema: { version: 0, block: { description: '', attributes: { endpoint: { type: 'string', description: '', optional: true } } } },
  configure: async (config) => `client(${String(config.endpoint)})`,
  resources: [],
  dataSources: [],
  ephemeralResources: [
    token,
    { typeName: 'test_plain', schema, open: async () => ({ result: { audience: 'a', ttl: null, token: 't' } }) },
    { typeName: 'test_norenew', schema, open: async (_ctx, config) => openResult(config) },
  ],
  functions: [],
};
const PROVIDER = blockType(definition.schema.block);

let server: ProviderServer;
beforeEach(async () => {
  events.length = 0;
  openResult = (config) => Promise.resolve({ result: { ...config, token: SECRET }, renewAt: new Date('2030-01-01T00:05:00Z'), private: { lease: 'l-1' } });
  server = createProviderServer(definition);
  await rpc(server, 'configureProvider', { config: dv(PROVIDER, { endpoint: 'e' }) });
});

const config = (audience: unknown = 'api', ttl: unknown = null) => dv(TYPE, { audience, ttl, token: null } as ObjectValue);
const open = (c = config(), clientCapabilities?: pb.ClientCapabilities) => rpc(server, 'openEphemeralResource', { typeName: 'test_token', config: c, clientCapabilities });

describe('schemas', () => {
  test('GetProviderSchema has ephemeral_resource_schemas, GetMetadata lists ephemeral_resources', async () => {
    const s = await rpc(server, 'getProviderSchema', {});
    expect(Object.keys(s.ephemeralResourceSchemas).sort()).toEqual(['test_norenew', 'test_plain', 'test_token']);
    expect(s.ephemeralResourceSchemas.test_token.block!.attributes.find((a) => a.name === 'token')).toMatchObject({ computed: true, sensitive: true });
    const m = await rpc(server, 'getMetadata', {});
    expect(m.ephemeralResources.map((e) => e.typeName).sort()).toEqual(['test_norenew', 'test_plain', 'test_token']);
  });

  test('a write-only attribute in an ephemeral resource schema is a provider bug, refused at start', () => {
    const bad: Schema = { version: 0, block: { description: '', attributes: { x: { type: 'string', description: '', optional: true, writeOnly: true } } } };
    expect(() => checkSchema(bad, 'test_bad', 'ephemeral resource')).toThrow(/test_bad\.x.*managed resources only/);
    expect(() => createProviderServer({ ...definition, ephemeralResources: [{ ...token, schema: bad }] })).toThrow(/write-only/);
  });
});

describe('ValidateEphemeralResourceConfig', () => {
  const validate = (c: pb.DynamicValue, typeName = 'test_token') => rpc(server, 'validateEphemeralResourceConfig', { typeName, config: c });

  test('attribute validators and the validate hook run, diagnostics carry their paths; unknowns are not validated', async () => {
    expect((await validate(config('bad audience'))).diagnostics.map((d) => [d.summary, pathOf(d)])).toEqual([['Invalid audience', ['audience']]]);
    expect((await validate(config('forbidden'))).diagnostics.map((d) => [d.summary, pathOf(d)])).toEqual([['Audience not allowed', ['audience']]]);
    expect((await validate(config(unknown()))).diagnostics).toEqual([]);
  });

  test('an unknown type name is an error diagnostic', async () => {
    expect(errors((await validate(config(), 'test_nope')).diagnostics).map((d) => d.summary)).toEqual(['Unknown ephemeral resource type']);
  });
});

describe('OpenEphemeralResource', () => {
  test('the result in msgpack, renew_at as a timestamp, the private data as JSON', async () => {
    const r = await open(config('api', CtyNumber.of(60)));
    expect(r.diagnostics).toEqual([]);
    expect(val(TYPE, r.result)).toMatchObject({ audience: 'api', token: SECRET });
    expect(timestampDate(r.renewAt!).toISOString()).toBe('2030-01-01T00:05:00.000Z');
    expect(privateData(r.private)).toEqual({ lease: 'l-1' });
    expect(r.deferred).toBeUndefined();
    expect(events).toEqual(['open client(e) api']);
  });

  test('no renew_at and no private when the resource gives none', async () => {
    const r = await rpc(server, 'openEphemeralResource', { typeName: 'test_plain', config: config() });
    expect([r.renewAt, r.private]).toEqual([undefined, undefined]);
  });

  test.each([
    ['a result with an unknown value', 'test_token', { audience: 'api', ttl: null, token: unknown() }, undefined, 'token unknown'],
    ['a result that does not fit the schema', 'test_token', { audience: 'api', ttl: SECRET, token: SECRET }, undefined, 'does not match its schema at ttl'],
    ['renew_at from a type without renew', 'test_norenew', { audience: 'api', ttl: null, token: SECRET }, new Date(), 'has no renew'],
  ] as [string, string, ObjectValue, Date | undefined, string][])('%s: an error, no result', async (_what, typeName, result, renewAt, phrase) => {
    openResult = () => Promise.resolve({ result, renewAt });
    const stderr = captureStderr();
    try {
      const r = await rpc(server, 'openEphemeralResource', { typeName, config: config() });
      expect(r.result).toBeUndefined();
      expect(errors(r.diagnostics)).toHaveLength(1);
      expect(r.diagnostics[0].detail).toContain(phrase);
      expect(r.diagnostics[0].detail).not.toContain(SECRET);
    } finally {
      stderr.restore();
    }
  });

  test('unknown config (Terraform should wait for apply): an error naming the path; deferred where allowed, without opening', async () => {
    const refused = await open(config('api', unknown()));
    expect(errors(refused.diagnostics).map((d) => [d.summary, pathOf(d)])).toEqual([['Ephemeral resource config not known yet', ['ttl']]]);
    const deferred = await open(config('api', unknown()), create(pb.ClientCapabilitiesSchema, { deferralAllowed: true }));
    expect(deferred.deferred?.reason).toBe(pb.Deferred_Reason.RESOURCE_CONFIG_UNKNOWN);
    const result = val(TYPE, deferred.result) as ObjectValue;
    expect([result.audience, isUnknown(result.ttl), isUnknown(result.token)]).toEqual(['api', true, true]);
    expect(events).toEqual([]);
  });

  test('provider configuration not known yet: an error naming the argument; deferred where allowed', async () => {
    await rpc(server, 'configureProvider', { config: dv(PROVIDER, { endpoint: unknown() }) });
    const refused = await open();
    expect(errors(refused.diagnostics).map((d) => d.summary)).toEqual(['Provider configuration not known yet']);
    expect(refused.diagnostics[0].detail).toContain('"endpoint"');
    const deferred = await open(config(), create(pb.ClientCapabilitiesSchema, { deferralAllowed: true }));
    expect(deferred.deferred?.reason).toBe(pb.Deferred_Reason.PROVIDER_CONFIG_UNKNOWN);
    expect(isUnknown((val(TYPE, deferred.result) as ObjectValue).token)).toBe(true);
    expect(events).toEqual([]);
  });
});

describe('RenewEphemeralResource and CloseEphemeralResource', () => {
  const renew = (data: PrivateData | undefined, typeName = 'test_token') =>
    rpc(server, 'renewEphemeralResource', { typeName, private: data === undefined ? undefined : privateBytes(data) });
  const close = (data: PrivateData | undefined, typeName = 'test_token') =>
    rpc(server, 'closeEphemeralResource', { typeName, private: data === undefined ? undefined : privateBytes(data) });

  test('renew gets the private data; its renew_at and new private data come back', async () => {
    const r = await renew({ lease: 'l-1' });
    expect(r.diagnostics).toEqual([]);
    expect(events).toEqual(['renew client(e) {"lease":"l-1"}']);
    expect(timestampDate(r.renewAt!).toISOString()).toBe('2030-01-01T00:20:00.000Z');
    expect(privateData(r.private)).toEqual({ lease: 'l-2' });
  });

  test('renew that leaves the private data out: the incoming bytes come back', async () => {
    expect(privateData((await renew({ lease: 'keep' })).private)).toEqual({ lease: 'keep' });
  });

  test('a failed renew: its diagnostic; a type without renew: an error', async () => {
    expect(errors((await renew({ lease: 'expired' })).diagnostics).map((d) => d.summary)).toEqual(['Lease expired']);
    expect(errors((await renew({}, 'test_plain')).diagnostics).map((d) => d.summary)).toEqual(['Renewal not supported']);
  });

  test('close gets the private data (null when there is none); a type without close: nothing to do', async () => {
    expect((await close({ lease: 'l-2' })).diagnostics).toEqual([]);
    expect((await close(undefined)).diagnostics).toEqual([]);
    expect((await close({}, 'test_plain')).diagnostics).toEqual([]);
    expect(events).toEqual(['close client(e) {"lease":"l-2"}', 'close client(e) null']);
  });
});

test('the result never reaches the log, even at TF_LOG=trace and when something fails', async () => {
  const saved = process.env.TF_LOG;
  process.env.TF_LOG = 'trace';
  resetLogLevel();
  const stderr = captureStderr();
  try {
    const messages: pb.Diagnostic[] = [];
    messages.push(...(await open()).diagnostics);
    openResult = () => Promise.resolve({ result: { audience: 'api', ttl: SECRET, token: SECRET } as ObjectValue });
    messages.push(...(await open()).diagnostics);
    openResult = () => Promise.reject(new TypeError('boom'));
    messages.push(...(await open()).diagnostics);
    messages.push(...(await rpc(server, 'renewEphemeralResource', { typeName: 'test_token', private: privateBytes({ lease: 'expired' }) })).diagnostics);
    messages.push(...(await rpc(server, 'closeEphemeralResource', { typeName: 'test_token', private: privateBytes({ lease: 'l-1' }) })).diagnostics);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    expect(stderr.text().length).toBeGreaterThan(0); // the log did run
    expect(stderr.text()).not.toContain(SECRET);
    for (const d of messages) expect(`${d.summary} ${d.detail}`).not.toContain(SECRET);
  } finally {
    stderr.restore();
    if (saved === undefined) delete process.env.TF_LOG;
    else process.env.TF_LOG = saved;
    resetLogLevel();
  }
});
