/**
 * A provider configuration Terraform cannot know until apply (an argument built from
 * another resource's output). The runtime never configures with such values: refresh
 * keeps the state and says why (or defers, where Terraform allows it), plan runs with
 * no client, data sources read with no client (or defer), apply and import refuse
 * with a message that names the unknown arguments — never "missing".
 */
import { create } from '@bufbuild/protobuf';
import { isUnknown, unknown, type CtyValue } from '../../../providers/runtime/cty';
import * as pb from '../../../providers/runtime/gen/tfplugin6_pb';
import type { ObjectValue, ProviderDefinition } from '../../../providers/runtime/interfaces';
import { blockType, type Schema } from '../../../providers/runtime/schema';
import { createProviderServer, type ProviderServer } from '../../../providers/runtime/server';
import { dv, errors, privateBytes, rpc, val, warnings } from '../../helpers/provider-rpc';

interface Client {
  endpoint: string;
}

const providerSchema: Schema = {
  version: 0,
  block: {
    description: '',
    attributes: {
      endpoint: { type: 'string', description: '', optional: true },
      token: { type: 'string', description: '', optional: true, sensitive: true },
      regions: { type: ['list', 'string'], description: '', optional: true },
    },
  },
};
const PROVIDER = blockType(providerSchema.block);
const thingSchema: Schema = {
  version: 0,
  block: { description: '', attributes: { name: { type: 'string', description: '', required: true }, id: { type: 'string', description: '', computed: true } } },
};
const THING = blockType(thingSchema.block);
const lookupSchema: Schema = {
  version: 0,
  block: { description: '', attributes: { key: { type: 'string', description: '', required: true }, value: { type: 'string', description: '', computed: true } } },
};
const LOOKUP = blockType(lookupSchema.block);

const calls: string[] = [];
let planClient: Client | undefined | 'not called';

const definition: ProviderDefinition<Client> = {
  name: 'test',
  version: '0',
  schema: providerSchema,
  configure: async (config) => {
    calls.push('configure');
    return { endpoint: String(config.endpoint) };
  },
  resources: [
    {
      typeName: 'test_thing',
      schema: thingSchema,
      modifyPlan: (ctx) => {
        planClient = ctx.client;
      },
      read: async (ctx, state) => {
        calls.push(`read ${ctx.client.endpoint}`);
        return { ...state, name: 'drifted' };
      },
      create: async (ctx, planned) => {
        calls.push(`create ${ctx.client.endpoint}`);
        return { ...planned, id: 'id-1' };
      },
      update: async (_ctx, _prior, planned) => planned,
      delete: async () => undefined,
      importState: async (ctx, id) => {
        calls.push(`import ${ctx.client.endpoint}`);
        return { name: id, id };
      },
    },
  ],
  dataSources: [
    {
      typeName: 'test_lookup',
      schema: lookupSchema,
      read: async (ctx, config) => {
        calls.push(`lookup ${ctx.client?.endpoint ?? 'without a client'}`);
        return { key: config.key, value: ctx.client ? `${ctx.client.endpoint}/${config.key}` : 'public' };
      },
    },
  ],
  functions: [],
};

const DEFERRAL = create(pb.ClientCapabilitiesSchema, { deferralAllowed: true });
const prior: ObjectValue = { name: 'web', id: 'id-1' };

let server: ProviderServer;
beforeEach(() => {
  calls.length = 0;
  planClient = 'not called';
  server = createProviderServer(definition);
});

const configure = (config: Record<string, CtyValue>) =>
  rpc(server, 'configureProvider', { config: dv(PROVIDER, { endpoint: null, token: null, regions: null, ...config }) });
const read = (clientCapabilities?: pb.ClientCapabilities) =>
  rpc(server, 'readResource', { typeName: 'test_thing', currentState: dv(THING, prior), private: privateBytes({ p: 1 }), clientCapabilities });
const plan = (clientCapabilities?: pb.ClientCapabilities) =>
  rpc(server, 'planResourceChange', {
    typeName: 'test_thing',
    priorState: dv(THING, null),
    config: dv(THING, { name: 'web', id: null }),
    proposedNewState: dv(THING, { name: 'web', id: unknown() }),
    clientCapabilities,
  });
const readData = (clientCapabilities?: pb.ClientCapabilities) =>
  rpc(server, 'readDataSource', { typeName: 'test_lookup', config: dv(LOOKUP, { key: 'k', value: null }), clientCapabilities });

describe('which configurations count as not known', () => {
  test.each([
    ['a top-level unknown', { endpoint: unknown() }, 'the provider argument "endpoint" is not known until apply'],
    ['an unknown list element', { endpoint: 'https://svc', regions: ['eu', unknown()] }, 'the provider argument "regions" is not known until apply'],
    ['two, named in order', { token: unknown(), endpoint: unknown() }, 'the provider arguments "endpoint" and "token" are not known until apply'],
    ['three', { token: unknown(), endpoint: unknown(), regions: unknown() }, 'the provider arguments "endpoint", "regions" and "token" are not'],
  ] as [string, Record<string, CtyValue>, string][])('%s: configure is not called, no diagnostic; apply says which', async (_what, config, phrase) => {
    expect((await configure(config)).diagnostics).toEqual([]);
    expect(calls).toEqual([]);
    const r = await rpc(server, 'applyResourceChange', {
      typeName: 'test_thing',
      priorState: dv(THING, null),
      plannedState: dv(THING, { name: 'web', id: unknown() }),
      config: dv(THING, { name: 'web', id: null }),
    });
    const [d] = errors(r.diagnostics);
    expect(d.summary).toBe('Provider configuration not known yet');
    expect(d.detail).toContain(phrase);
    expect(d.detail).not.toMatch(/missing/i);
  });

  test('a wholly known configuration (nulls included) is configured as usual', async () => {
    await configure({ endpoint: 'https://svc', regions: ['eu'] });
    expect(calls).toEqual(['configure']);
    await read();
    expect(calls).toEqual(['configure', 'read https://svc']);
  });
});

describe('with the configuration not known', () => {
  beforeEach(() => configure({ endpoint: unknown() }));

  test('ReadResource: the state and private come back unchanged, with a warning naming the argument', async () => {
    const r = await read();
    expect(calls).toEqual([]);
    expect(val(THING, r.newState)).toEqual(prior);
    expect(Buffer.from(r.private)).toEqual(Buffer.from(privateBytes({ p: 1 })));
    expect(r.deferred).toBeUndefined();
    expect(errors(r.diagnostics)).toEqual([]);
    const [w] = warnings(r.diagnostics);
    expect(w.summary).toBe('Not refreshed: provider configuration not known yet');
    expect(w.detail).toContain('test_thing');
    expect(w.detail).toContain('the provider argument "endpoint" is not known until apply');
  });

  test('ReadResource where Terraform allows deferral: deferred (PROVIDER_CONFIG_UNKNOWN), state unchanged, no warning', async () => {
    const r = await read(DEFERRAL);
    expect(r.deferred?.reason).toBe(pb.Deferred_Reason.PROVIDER_CONFIG_UNKNOWN);
    expect(val(THING, r.newState)).toEqual(prior);
    expect(r.diagnostics).toEqual([]);
    expect(calls).toEqual([]);
  });

  test('PlanResourceChange: the generic plan, modifyPlan with no client; deferred only where allowed', async () => {
    const r = await plan();
    expect(r.diagnostics).toEqual([]);
    expect(planClient).toBeUndefined();
    expect(r.deferred).toBeUndefined();
    const planned = val(THING, r.plannedState) as ObjectValue;
    expect(planned.name).toBe('web');
    expect(isUnknown(planned.id)).toBe(true);
    expect((await plan(DEFERRAL)).deferred?.reason).toBe(pb.Deferred_Reason.PROVIDER_CONFIG_UNKNOWN);
  });

  test('ReadDataSource: read with no client; where deferral is allowed, deferred without reading', async () => {
    const r = await readData();
    expect(val(LOOKUP, r.state)).toEqual({ key: 'k', value: 'public' });
    expect(calls).toEqual(['lookup without a client']);
    const deferred = await readData(DEFERRAL);
    expect(calls).toHaveLength(1);
    expect(deferred.deferred?.reason).toBe(pb.Deferred_Reason.PROVIDER_CONFIG_UNKNOWN);
    const state = val(LOOKUP, deferred.state) as ObjectValue;
    expect(state.key).toBe('k');
    expect(isUnknown(state.value)).toBe(true);
  });

  test('ImportResourceState: refused, naming the argument; nothing imported', async () => {
    const r = await rpc(server, 'importResourceState', { typeName: 'test_thing', id: 'x', clientCapabilities: DEFERRAL });
    expect(r.importedResources).toEqual([]);
    const [d] = errors(r.diagnostics);
    expect([d.summary, d.detail.includes('"endpoint"')]).toEqual(['Provider configuration not known yet', true]);
    expect(calls).toEqual([]);
  });

  test('ApplyResourceChange of a delete: refused too, the prior state kept (nothing is forgotten)', async () => {
    const r = await rpc(server, 'applyResourceChange', { typeName: 'test_thing', priorState: dv(THING, prior), plannedState: dv(THING, null), config: dv(THING, null) });
    expect(errors(r.diagnostics).map((d) => d.summary)).toEqual(['Provider configuration not known yet']);
    expect(val(THING, r.newState)).toEqual(prior);
  });

  test('a later ConfigureProvider with known values configures (the next phase)', async () => {
    await configure({ endpoint: 'https://later' });
    await read();
    expect(calls).toEqual(['configure', 'read https://later']);
  });
});

test('before any ConfigureProvider: the old "Provider not configured" error, for reads and data sources alike', async () => {
  expect(errors((await read()).diagnostics).map((d) => d.summary)).toEqual(['Provider not configured']);
  expect(errors((await readData()).diagnostics).map((d) => d.summary)).toEqual(['Provider not configured']);
});
