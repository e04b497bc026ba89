/**
 * The tfplugin6 handlers, called directly with protobuf messages and values in
 * go-cty's msgpack / JSON forms, over a small provider defined here. Expectations
 * come from the protocol (docs/architecture.md §3, hashicorp/terraform docs/plugin-protocol).
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { CtyNumber, encodeValue, isUnknown, unknown } from '../../../providers/runtime/cty';
import { ProviderError, type Diagnostics } from '../../../providers/runtime/diagnostics';
import * as pb from '../../../providers/runtime/gen/tfplugin6_pb';
import {
  FunctionCallError,
  type CallContext,
  type ClientCapabilities,
  type ObjectValue,
  type PlanArgs,
  type PlanContext,
  type ProviderDefinition,
  type ResourceDefinition,
} from '../../../providers/runtime/interfaces';
import { blockType, type AttributeValidator, type Schema } from '../../../providers/runtime/schema';
import { createProviderServer, type ProviderServer } from '../../../providers/runtime/server';
import { captureStderr, dv, errors, jsonDv, pathOf, privateBytes, privateData, rpc, val } from '../../helpers/provider-rpc';

// ---------------------------------------------------------------------------
// The test provider

interface Client {
  endpoint: string;
}

const n = (x: number | string | bigint) => CtyNumber.of(x);

/** Reports a value with a space in it, at the path it is given. */
const noSpaces: AttributeValidator = (value, path, diagnostics) => {
  if (typeof value === 'string' && value.includes(' ')) diagnostics.error('Invalid value', `"${value}" contains a space`, path);
};
/** Reports each list element / map entry with a space, at its own path. */
const noSpacesInside: AttributeValidator = (value, path, diagnostics) => {
  if (Array.isArray(value)) value.forEach((v, i) => noSpaces(v, [...path, i], diagnostics));
  if (value instanceof Map) for (const [k, v] of value) noSpaces(v, [...path, { key: k }], diagnostics);
};

const thingSchema: Schema = {
  version: 2,
  block: {
    description: 'A thing.',
    attributes: {
      name: { type: 'string', description: '', required: true, validate: [noSpaces] },
      size: { type: 'number', description: '', default: n(3) },
      mode: { type: 'string', description: '', optional: true, computed: true },
      region: { type: 'string', description: '', optional: true, forceNew: true },
      password: { type: 'string', description: '', optional: true, sensitive: true, writeOnly: true },
      tags: { type: ['list', 'string'], description: '', optional: true, validate: [noSpacesInside] },
      labels: { type: ['map', 'string'], description: '', optional: true, validate: [noSpacesInside] },
      id: { type: 'string', description: '', computed: true },
      etag: { type: 'string', description: '', computed: true, changesOnUpdate: true },
    },
  },
};
const THING = blockType(thingSchema.block);

const lookupSchema: Schema = {
  version: 0,
  block: {
    description: 'A lookup.',
    attributes: {
      key: { type: 'string', description: '', required: true, validate: [noSpaces] },
      value: { type: 'string', description: '', computed: true },
    },
  },
};
const LOOKUP = blockType(lookupSchema.block);

const providerSchema: Schema = {
  version: 0,
  block: { description: '', attributes: { endpoint: { type: 'string', description: '', optional: true, validate: [noSpaces] } } },
};
const PROVIDER = blockType(providerSchema.block);

/** What the resource does, replaced per test. */
interface Hooks {
  create(ctx: CallContext<Client>, planned: ObjectValue, config: ObjectValue): Promise<ObjectValue>;
  update(ctx: CallContext<Client>, prior: ObjectValue, planned: ObjectValue, config: ObjectValue): Promise<ObjectValue>;
  delete(ctx: CallContext<Client>, prior: ObjectValue): Promise<void>;
  read(ctx: CallContext<Client>, state: ObjectValue): Promise<ObjectValue | null>;
  modifyPlan?(ctx: PlanContext<Client>, args: PlanArgs): void;
  validate?(config: ObjectValue, diagnostics: Diagnostics, caps: ClientCapabilities): void;
}

/** A well-behaved service: fills computed values from the plan. */
const defaultHooks = (): Hooks => ({
  create: async (_ctx, planned) => ({ ...planned, mode: isUnknown(planned.mode) ? 'standard' : planned.mode, id: 'id-1', etag: 'etag-1' }),
  update: async (_ctx, prior, planned) => ({ ...planned, id: prior.id, etag: isUnknown(planned.etag) ? 'etag-2' : planned.etag }),
  delete: async () => undefined,
  read: async (_ctx, state) => state,
});
let hooks: Hooks = defaultHooks();

const thing: ResourceDefinition<Client> = {
  typeName: 'test_thing',
  schema: thingSchema,
  validate: (config, diagnostics, caps) => hooks.validate?.(config, diagnostics, caps),
  modifyPlan: (ctx, args) => hooks.modifyPlan?.(ctx, args),
  read: (ctx, state) => hooks.read(ctx, state),
  create: (ctx, planned, config) => hooks.create(ctx, planned, config),
  update: (ctx, prior, planned, config) => hooks.update(ctx, prior, planned, config),
  delete: (ctx, prior) => hooks.delete(ctx, prior),
  importState: async (_ctx, id) => (id === 'missing' ? null : { ...emptyThing(), id, name: `imported-${id}`, size: n(3), password: 'leaked?' }),
};

const definition: ProviderDefinition<Client> = {
  name: 'test',
  version: '0.0.1',
  schema: providerSchema,
  configure: async (config) => {
    if (config.endpoint === 'refuse') throw new ProviderError('Cannot reach the service', 'connection refused', ['endpoint']);
    return { endpoint: String(config.endpoint ?? 'default') };
  },
  resources: [thing, { ...thing, typeName: 'test_plain', importState: undefined, modifyPlan: undefined, validate: undefined }],
  dataSources: [
    {
      typeName: 'test_lookup',
      schema: lookupSchema,
      read: async (ctx, config) => ({ key: config.key, value: config.key === 'unknowable' ? unknown() : `${ctx.client?.endpoint ?? '(no client)'}:${config.key}` }),
    },
  ],
  functions: [
    {
      name: 'repeat',
      summary: 'Repeats a string.',
      description: '',
      parameters: [
        { name: 'text', type: 'string', description: '' },
        { name: 'times', type: 'number', description: '' },
      ],
      returnType: 'string',
      call: ([text, times]) => {
        const count = (times as CtyNumber).toInt64();
        if (count === undefined || count < 0n) throw new FunctionCallError('times must be a whole number ≥ 0', 1);
        return (text as string).repeat(Number(count));
      },
    },
    {
      name: 'or_default',
      summary: 'Null becomes "default".',
      description: '',
      parameters: [{ name: 'value', type: 'string', description: '', allowNull: true }],
      returnType: 'string',
      call: ([value]) => {
        if (value === 'boom') throw new Error('plain failure');
        return value ?? 'default';
      },
    },
  ],
};

// ---------------------------------------------------------------------------
// Helpers

let server: ProviderServer;

function emptyThing(): ObjectValue {
  return { name: null, size: null, mode: null, region: null, password: null, tags: null, labels: null, id: null, etag: null };
}
const thingConfig = (values: ObjectValue): ObjectValue => ({ ...emptyThing(), ...values });

const priorState: ObjectValue = thingConfig({ name: 'web', size: n(3), mode: 'fast', region: 'eu', tags: ['a'], id: 'id-1', etag: 'etag-1' });

async function configure(endpoint: string | null = 'https://svc') {
  return rpc(server, 'configureProvider', {
    terraformVersion: '1.11.4',
    config: dv(PROVIDER, { endpoint }),
  });
}

beforeEach(() => {
  hooks = defaultHooks();
  server = createProviderServer(definition);
});

// ---------------------------------------------------------------------------

describe('GetProviderSchema / GetMetadata / GetFunctions', () => {
  test('schemas for the provider, every resource and data source; every attribute exactly one kind', async () => {
    const r = await rpc(server, 'getProviderSchema', {});
    expect(r.provider).toBeDefined(); // must be present, even when empty
    expect(Object.keys(r.resourceSchemas).sort()).toEqual(['test_plain', 'test_thing']);
    expect(Object.keys(r.dataSourceSchemas)).toEqual(['test_lookup']);
    expect(r.resourceSchemas.test_thing.version).toBe(2n);
    for (const s of [r.provider!, ...Object.values(r.resourceSchemas), ...Object.values(r.dataSourceSchemas)]) {
      for (const a of s.block!.attributes) {
        const kind = [a.required, a.optional, a.computed].map(Number).join('');
        expect(['100', '010', '001', '011']).toContain(kind);
      }
    }
    expect(r.diagnostics).toEqual([]);
  });

  test('functions: parameters and return type as cty type JSON, null allowed only where declared', async () => {
    const schema = await rpc(server, 'getProviderSchema', {});
    const functions = await rpc(server, 'getFunctions', {});
    for (const fns of [schema.functions, functions.functions]) {
      expect(Object.keys(fns).sort()).toEqual(['or_default', 'repeat']);
      const repeat = fns.repeat;
      expect(repeat.parameters.map((p) => [p.name, JSON.parse(Buffer.from(p.type).toString()), p.allowNullValue])).toEqual([
        ['text', 'string', false],
        ['times', 'number', false],
      ]);
      expect(JSON.parse(Buffer.from(repeat.return!.type).toString())).toBe('string');
      expect(fns.or_default.parameters[0].allowNullValue).toBe(true);
    }
  });

  test('GetMetadata lists the same types and functions; GetResourceIdentitySchemas answers empty', async () => {
    const m = await rpc(server, 'getMetadata', {});
    expect(m.resources.map((x) => x.typeName).sort()).toEqual(['test_plain', 'test_thing']);
    expect(m.dataSources.map((x) => x.typeName)).toEqual(['test_lookup']);
    expect(m.functions.map((x) => x.name).sort()).toEqual(['or_default', 'repeat']);
    const ids = await rpc(server, 'getResourceIdentitySchemas', {});
    expect(Object.keys(ids.identitySchemas)).toEqual([]);
    expect(ids.diagnostics).toEqual([]);
  });

  test('a provider with an invalid schema is refused at start (checkSchema)', () => {
    const bad: Schema = { version: 0, block: { description: '', attributes: { x: { type: 'string', description: '', required: true, computed: true } } } };
    expect(() => createProviderServer({ ...definition, resources: [{ ...thing, schema: bad }] })).toThrow(/test_thing\.x/);
  });
});

describe('validate RPCs', () => {
  const validateThing = (config: ObjectValue, clientCapabilities?: MessageInitShape<typeof pb.ClientCapabilitiesSchema>) =>
    rpc(server, 'validateResourceConfig', {
      typeName: 'test_thing',
      config: dv(THING, thingConfig(config)),
      clientCapabilities: clientCapabilities ? create(pb.ClientCapabilitiesSchema, clientCapabilities) : undefined,
    });

  test('a deprecated argument that is set (known or not) warns with its message, at its path', async () => {
    const oldSchema: Schema = {
      version: 0,
      block: {
        description: '',
        attributes: {
          name: { type: 'string', description: '', optional: true },
          old_name: { type: 'string', description: '', optional: true, deprecated: 'use "name" instead' },
        },
      },
    };
    const old = createProviderServer({ ...definition, resources: [{ ...thing, typeName: 'test_old', schema: oldSchema }] });
    const validate = (config: ObjectValue) => rpc(old, 'validateResourceConfig', { typeName: 'test_old', config: dv(blockType(oldSchema.block), config) });
    for (const value of ['legacy', unknown()]) {
      const r = await validate({ name: null, old_name: value });
      expect(r.diagnostics.map((d) => [d.severity, d.summary, d.detail, pathOf(d)])).toEqual([
        [pb.Diagnostic_Severity.WARNING, 'Deprecated argument', '"old_name" is deprecated: use "name" instead', ['old_name']],
      ]);
    }
    expect((await validate({ name: 'new', old_name: null })).diagnostics).toEqual([]);
  });

  test('attribute validators run, and the diagnostic carries the attribute path', async () => {
    const r = await validateThing({ name: 'has space' });
    expect(errors(r.diagnostics)).toHaveLength(1);
    expect(r.diagnostics[0].summary).toBe('Invalid value');
    expect(r.diagnostics[0].detail).toContain('has space');
    expect(pathOf(r.diagnostics[0])).toEqual(['name']);
  });

  test('list and map element paths use element_key_int and element_key_string steps', async () => {
    const r = await validateThing({ name: 'ok', tags: ['fine', 'not fine'], labels: new Map([['env', 'pro d']]) });
    expect(r.diagnostics.map(pathOf)).toEqual([['tags', 1], ['labels', { key: 'env' }]]);
  });

  test('unknown values (config may hold them) are not validated; valid config has no diagnostics', async () => {
    expect((await validateThing({ name: unknown(), tags: unknown() })).diagnostics).toEqual([]);
    expect((await validateThing({ name: 'fine', tags: ['a', unknown()] })).diagnostics).toEqual([]);
  });

  test('a write-only value from a client without write_only_attributes_allowed is an error at its path', async () => {
    for (const caps of [undefined, { writeOnlyAttributesAllowed: false }]) {
      const r = await validateThing({ name: 'ok', password: 'hunter2' }, caps);
      expect(errors(r.diagnostics)).toHaveLength(1);
      expect(pathOf(r.diagnostics[0])).toEqual(['password']);
      expect(`${r.diagnostics[0].summary} ${r.diagnostics[0].detail}`).not.toContain('hunter2');
    }
    expect((await validateThing({ name: 'ok', password: 'hunter2' }, { writeOnlyAttributesAllowed: true })).diagnostics).toEqual([]);
    expect((await validateThing({ name: 'ok', password: null })).diagnostics).toEqual([]);
  });

  test('the resource validate hook gets the config and the client capabilities', async () => {
    let seen: ClientCapabilities | undefined;
    hooks.validate = (config, diagnostics, caps) => {
      seen = caps;
      if (config.region === 'mars') diagnostics.error('No such region', '', ['region']);
    };
    const r = await validateThing({ name: 'ok', region: 'mars' }, { writeOnlyAttributesAllowed: true, deferralAllowed: true });
    expect(seen).toEqual({ writeOnlyAttributesAllowed: true, deferralAllowed: true });
    expect(r.diagnostics.map(pathOf)).toEqual([['region']]);
  });

  test('provider and data source configs are validated the same way', async () => {
    const p = await rpc(server, 'validateProviderConfig', {
      config: dv(PROVIDER, { endpoint: 'a b' }),
    });
    expect(p.diagnostics.map(pathOf)).toEqual([['endpoint']]);
    const d = await rpc(server, 'validateDataResourceConfig', {
      typeName: 'test_lookup',
      config: dv(LOOKUP, { key: 'x y', value: null }),
    });
    expect(d.diagnostics.map(pathOf)).toEqual([['key']]);
  });

  test('an unknown type name is an error diagnostic, not a failed RPC', async () => {
    const r = await rpc(server, 'validateResourceConfig', {
      typeName: 'test_nope',
      config: dv(THING, thingConfig({ name: 'x' })),
    });
    expect(errors(r.diagnostics)).toHaveLength(1);
    expect(r.diagnostics[0].detail).toContain('test_nope');
  });
});

describe('ConfigureProvider', () => {
  test('a ProviderError becomes an error diagnostic with its summary, detail and path', async () => {
    const r = await configure('refuse');
    expect(errors(r.diagnostics).map((d) => [d.summary, d.detail, pathOf(d)])).toEqual([['Cannot reach the service', 'connection refused', ['endpoint']]]);
  });

  test('operations before a successful configure are refused with a diagnostic', async () => {
    const r = await rpc(server, 'readDataSource', {
      typeName: 'test_lookup',
      config: dv(LOOKUP, { key: 'k', value: null }),
    });
    expect(errors(r.diagnostics).map((d) => d.summary)).toEqual(['Provider not configured']);
    expect(r.state).toBeUndefined();
  });
});

describe('PlanResourceChange', () => {
  const planThing = (prior: ObjectValue | null, config: ObjectValue | null, extra: MessageInitShape<typeof pb.PlanResourceChange_RequestSchema> = {}) =>
    rpc(server, 'planResourceChange', {
      typeName: 'test_thing',
      priorState: dv(THING, prior),
      config: dv(THING, config),
      // Terraform's proposed new state: config merged with prior computed values.
      proposedNewState: dv(THING, config === null ? null : { ...config, id: prior?.id ?? unknown(), etag: prior?.etag ?? unknown() }),
      ...extra,
    });

  beforeEach(() => configure());

  test('create: config passes through, defaults fill nulls, computed values unknown, write-only planned null', async () => {
    const r = await planThing(null, thingConfig({ name: 'web', region: 'eu', password: 'hunter2', tags: ['a', 'b'] }));
    expect(r.diagnostics).toEqual([]);
    const planned = val(THING, r.plannedState) as ObjectValue;
    expect(planned.name).toBe('web');
    expect(planned.region).toBe('eu');
    expect(planned.tags).toEqual(['a', 'b']);
    expect(String(planned.size)).toBe('3');
    expect(planned.password).toBeNull();
    for (const k of ['mode', 'id', 'etag']) expect(isUnknown(planned[k])).toBe(true);
    expect(r.requiresReplace).toEqual([]);
  });

  test('unknown is sent as msgpack extension 0 (d4 00 00)', async () => {
    const r = await planThing(null, thingConfig({ name: 'web' }));
    // The object is a fixmap of its 9 attributes, keys sorted; "etag" comes first.
    const bytes = Buffer.from(r.plannedState!.msgpack);
    expect(bytes[0]).toBe(0x89);
    expect(bytes.subarray(1, 6)).toEqual(Buffer.from([0xa4, ...Buffer.from('etag')]));
    expect(bytes.subarray(6, 9)).toEqual(Buffer.from([0xd4, 0x00, 0x00]));
  });

  test('update without changes: the plan is the prior state; private bytes pass through', async () => {
    const r = await planThing(priorState, thingConfig({ name: 'web', region: 'eu', tags: ['a'], mode: 'fast' }), { priorPrivate: privateBytes({ p: [1, 2, 3] }) });
    expect(val(THING, r.plannedState)).toEqual(val(THING, dv(THING, priorState)));
    expect(privateData(r.plannedPrivate)).toEqual({ p: [1, 2, 3] });
  });

  test('update: computed kept, except changesOnUpdate ones (unknown)', async () => {
    const planned = val(THING, (await planThing(priorState, thingConfig({ name: 'web2', region: 'eu', tags: ['a'] }))).plannedState) as ObjectValue;
    expect(planned.name).toBe('web2');
    expect(planned.id).toBe('id-1');
    expect(planned.mode).toBe('fast'); // optional+computed left null keeps its value
    expect(isUnknown(planned.etag)).toBe(true);
  });

  test('a force-new change: requires_replace holds the attribute path', async () => {
    const r = await planThing(priorState, thingConfig({ name: 'web', region: 'us', tags: ['a'] }));
    expect(r.requiresReplace.map((p) => p.steps.map((s) => s.selector))).toEqual([[{ case: 'attributeName', value: 'region' }]]);
  });

  test('destroy: null config plans null, without asking the resource', async () => {
    hooks.modifyPlan = () => {
      throw new Error('modifyPlan must not run for a destroy');
    };
    const r = await planThing(priorState, null, { priorPrivate: privateBytes({ p: 9 }) });
    expect(val(THING, r.plannedState)).toBeNull();
    expect(r.diagnostics).toEqual([]);
    expect(r.requiresReplace).toEqual([]);
  });

  test('modifyPlan sees the generic plan and can change it or add diagnostics', async () => {
    hooks.modifyPlan = (ctx, args) => {
      expect(ctx.client?.endpoint).toBe('https://svc');
      expect(args.prior).toBeNull();
      expect(args.capabilities.writeOnlyAttributesAllowed).toBe(true);
      args.planned.mode = 'chosen';
      ctx.diagnostics.warning('Heads up', 'mode chosen by the provider', ['mode']);
    };
    const r = await planThing(null, thingConfig({ name: 'web' }), { clientCapabilities: create(pb.ClientCapabilitiesSchema, { writeOnlyAttributesAllowed: true }) });
    expect((val(THING, r.plannedState) as ObjectValue).mode).toBe('chosen');
    expect(r.diagnostics.map((d) => [d.severity, d.summary, pathOf(d)])).toEqual([[pb.Diagnostic_Severity.WARNING, 'Heads up', ['mode']]]);
  });
});

describe('ApplyResourceChange', () => {
  const applyThing = (prior: ObjectValue | null, planned: ObjectValue | null, config: ObjectValue | null = planned) =>
    rpc(server, 'applyResourceChange', {
      typeName: 'test_thing',
      priorState: dv(THING, prior),
      plannedState: dv(THING, planned),
      config: dv(THING, config),
      plannedPrivate: privateBytes({ p: 7 }),
    });
  const plannedCreate = thingConfig({ name: 'web', size: n(3), mode: unknown(), id: unknown(), etag: unknown() });

  beforeEach(() => configure());

  test('create: a fully known state; write-only values nulled even if the resource returns them', async () => {
    let seenConfig: ObjectValue | undefined;
    hooks.create = async (_ctx, planned, config) => {
      seenConfig = config;
      return { ...planned, mode: 'standard', id: 'id-9', etag: 'e', password: config.password };
    };
    const r = await applyThing(null, plannedCreate, { ...plannedCreate, password: 'hunter2' });
    expect(r.diagnostics).toEqual([]);
    expect(seenConfig!.password).toBe('hunter2'); // write-only values reach the resource through config
    const state = val(THING, r.newState) as ObjectValue;
    expect([state.id, state.mode, state.password]).toEqual(['id-9', 'standard', null]);
    expect(privateData(r.private)).toEqual({ p: 7 });
  });

  test('a ProviderError: the prior state comes back with an error diagnostic, and no stack trace', async () => {
    hooks.update = async () => {
      throw new ProviderError('Cannot update the thing', 'the service answered 409 Conflict', ['name']);
    };
    const planned = { ...priorState, name: 'web2', etag: unknown() };
    const r = await applyThing(priorState, planned);
    expect(Buffer.from(r.newState!.msgpack)).toEqual(Buffer.from(encodeValue(THING, priorState)));
    expect(errors(r.diagnostics).map((d) => [d.summary, d.detail, pathOf(d)])).toEqual([
      ['Cannot update the thing', 'the service answered 409 Conflict', ['name']],
    ]);
  });

  test('any other error: "Unexpected provider failure", message only; the stack goes to the log', async () => {
    hooks.update = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    };
    const stderr = captureStderr();
    try {
      const r = await applyThing(priorState, { ...priorState, name: 'web2', etag: unknown() });
      expect(val(THING, r.newState)).toEqual(val(THING, dv(THING, priorState)));
      const [d] = errors(r.diagnostics);
      expect(d.summary).toBe('Unexpected provider failure during apply of test_thing');
      expect(d.detail).toContain("Cannot read properties of undefined (reading 'id')");
      expect(d.detail).not.toMatch(/\n\s+at /);
      expect(d.detail).not.toContain(__filename);
      const logged = stderr.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged.some((l) => l['@level'] === 'error' && String(l.stack).includes('\n    at '))).toBe(true);
    } finally {
      stderr.restore();
    }
  });

  test('a resource that leaves an unknown after apply is an error (Terraform: "invalid result object")', async () => {
    hooks.create = async (_ctx, planned) => ({ ...planned, mode: 'x', id: 'id', etag: unknown() });
    const stderr = captureStderr();
    try {
      const r = await applyThing(null, plannedCreate);
      expect(errors(r.diagnostics)).toHaveLength(1);
      expect(r.diagnostics[0].detail).toContain('etag');
      expect(val(THING, r.newState)).toBeNull(); // the prior state of a create
    } finally {
      stderr.restore();
    }
  });

  test('delete: null planned state → delete called with the prior state, null returned', async () => {
    const deleted: ObjectValue[] = [];
    hooks.delete = async (_ctx, prior) => void deleted.push(prior);
    const r = await applyThing(priorState, null);
    expect(r.diagnostics).toEqual([]);
    expect(val(THING, r.newState)).toBeNull();
    expect(deleted.map((d) => d.id)).toEqual(['id-1']);
  });

  test('a failed delete keeps the prior state (the object still exists)', async () => {
    hooks.delete = async () => {
      throw new ProviderError('Cannot delete', 'still in use');
    };
    const r = await applyThing(priorState, null);
    expect(val(THING, r.newState)).toEqual(val(THING, dv(THING, priorState)));
    expect(errors(r.diagnostics).map((d) => d.summary)).toEqual(['Cannot delete']);
  });

  test('before ConfigureProvider: an error, prior state kept', async () => {
    server = createProviderServer(definition);
    const r = await applyThing(priorState, { ...priorState, name: 'x' });
    expect(errors(r.diagnostics).map((d) => d.summary)).toEqual(['Provider not configured']);
    expect(val(THING, r.newState)).toEqual(val(THING, dv(THING, priorState)));
  });
});

describe('UpgradeResourceState (JSON of the stored state → msgpack in the current schema)', () => {
  const upgrade = (json: string, version = 2n, typeName = 'test_thing') =>
    rpc(server, 'upgradeResourceState', {
      typeName,
      version,
      rawState: { json: new TextEncoder().encode(json) },
    });

  test('the same version: every attribute as stored', async () => {
    const r = await upgrade('{"name":"web","size":3,"mode":"fast","region":"eu","password":null,"tags":["a"],"labels":{"k":"v"},"id":"id-1","etag":"e"}');
    expect(r.diagnostics).toEqual([]);
    const state = val(THING, r.upgradedState) as ObjectValue;
    expect(state.name).toBe('web');
    expect(state.labels).toEqual(new Map([['k', 'v']]));
    expect(String(state.size)).toBe('3');
  });

  test('a missing attribute becomes null; a removed attribute is dropped', async () => {
    const r = await upgrade('{"name":"web","id":"id-1","legacy_flag":true,"old_block":[{"x":1}]}', 1n);
    expect(r.diagnostics).toEqual([]);
    const state = val(THING, r.upgradedState) as ObjectValue;
    expect(state).toEqual(thingConfig({ name: 'web', id: 'id-1' }));
  });

  test('big integers and decimals are kept exactly', async () => {
    const r = await upgrade('{"name":"web","size":123456789012345678901234567890.000000000000000000001,"id":"x"}');
    expect(String((val(THING, r.upgradedState) as ObjectValue).size)).toBe('123456789012345678901234567890.000000000000000000001');
    for (const exact of ['0.1', '9007199254740993', '18446744073709551616', '-1e-30']) {
      const s = (val(THING, (await upgrade(`{"size":${exact}}`)).upgradedState) as ObjectValue).size as CtyNumber;
      expect(s.equals(CtyNumber.of(exact))).toBe(true);
    }
  });

  test('a write-only value in the stored state is nulled', async () => {
    const state = val(THING, (await upgrade('{"name":"web","password":"hunter2"}')).upgradedState) as ObjectValue;
    expect(state.password).toBeNull();
  });

  test('state from a newer schema version is refused with a diagnostic', async () => {
    const r = await upgrade('{"name":"web"}', 3n);
    expect(r.upgradedState).toBeUndefined();
    expect(errors(r.diagnostics)).toHaveLength(1);
    expect(r.diagnostics[0].detail).toMatch(/3.*2/);
  });

  test('flatmap-only state, a wrong value type, an unknown type name: error diagnostics', async () => {
    const flatmap = await rpc(server, 'upgradeResourceState', {
      typeName: 'test_thing',
      version: 0n,
      rawState: { flatmap: { name: 'web' } },
    });
    expect(errors(flatmap.diagnostics)).toHaveLength(1);
    const stderr = captureStderr();
    try {
      expect(errors((await upgrade('{"tags":"not a list"}')).diagnostics)).toHaveLength(1);
    } finally {
      stderr.restore();
    }
    expect(errors((await upgrade('{}', 0n, 'test_nope')).diagnostics)).toHaveLength(1);
  });
});

describe('ReadResource / ImportResourceState / ReadDataSource', () => {
  beforeEach(() => configure());

  const read = (state: ObjectValue | null) =>
    rpc(server, 'readResource', {
      typeName: 'test_thing',
      currentState: dv(THING, state),
      private: privateBytes({ p: 42 }),
    });

  test('read returns the remote state (drift shows here), write-only nulled, private kept', async () => {
    hooks.read = async (_ctx, state) => ({ ...state, mode: 'drifted', password: 'x' });
    const r = await read(priorState);
    const state = val(THING, r.newState) as ObjectValue;
    expect([state.mode, state.password, state.id]).toEqual(['drifted', null, 'id-1']);
    expect(privateData(r.private)).toEqual({ p: 42 });
  });

  test('null from read means gone: Terraform then plans a create', async () => {
    hooks.read = async () => null;
    const r = await read(priorState);
    expect(val(THING, r.newState)).toBeNull();
    expect(r.diagnostics).toEqual([]);
  });

  test('JSON DynamicValues are accepted as input (answers are msgpack)', async () => {
    const r = await rpc(server, 'readResource', {
      typeName: 'test_thing',
      currentState: jsonDv('{"name":"web","size":1.5,"mode":"m","region":null,"password":null,"tags":["t"],"labels":null,"id":"id-1","etag":"e"}'),
    });
    const state = val(THING, r.newState) as ObjectValue;
    expect([state.name, String(state.size), state.tags]).toEqual(['web', '1.5', ['t']]);
  });

  test('import: the state for an id, write-only nulled; a missing object is an error', async () => {
    const ok = await rpc(server, 'importResourceState', { typeName: 'test_thing', id: 'abc' });
    expect(ok.importedResources.map((r) => r.typeName)).toEqual(['test_thing']);
    const state = val(THING, ok.importedResources[0].state) as ObjectValue;
    expect([state.id, state.name, state.password]).toEqual(['abc', 'imported-abc', null]);
    const missing = await rpc(server, 'importResourceState', { typeName: 'test_thing', id: 'missing' });
    expect(missing.importedResources).toEqual([]);
    expect(errors(missing.diagnostics).map((d) => d.summary)).toEqual(['Cannot import non-existent remote object']);
    const unsupported = await rpc(server, 'importResourceState', { typeName: 'test_plain', id: 'x' });
    expect(errors(unsupported.diagnostics)).toHaveLength(1);
  });

  test('data source: a fully known state; an unknown left in it is an error', async () => {
    const ok = await rpc(server, 'readDataSource', {
      typeName: 'test_lookup',
      config: dv(LOOKUP, { key: 'k', value: null }),
    });
    expect(val(LOOKUP, ok.state)).toEqual({ key: 'k', value: 'https://svc:k' });
    const stderr = captureStderr();
    try {
      const bad = await rpc(server, 'readDataSource', {
        typeName: 'test_lookup',
        config: dv(LOOKUP, { key: 'unknowable', value: null }),
      });
      expect(bad.state).toBeUndefined();
      expect(errors(bad.diagnostics)).toHaveLength(1);
    } finally {
      stderr.restore();
    }
  });
});

describe('CallFunction', () => {
  const callFn = (name: string, args: pb.DynamicValue[]) =>
    rpc(server, 'callFunction', { name, arguments: args });

  test('a call returns its result in msgpack', async () => {
    const r = await callFn('repeat', [dv('string', 'ab'), dv('number', n(3))]);
    expect(r.error).toBeUndefined();
    expect(val('string', r.result)).toBe('ababab');
  });

  test('wrong arity: a FunctionError without an argument index', async () => {
    const r = await callFn('repeat', [dv('string', 'ab')]);
    expect(r.result).toBeUndefined();
    expect(r.error!.text).toMatch(/2.*1/);
    expect(r.error!.functionArgument).toBeUndefined();
  });

  test('a null argument where null is not allowed: function_argument is its index', async () => {
    const r = await callFn('repeat', [dv('string', 'ab'), dv('number', null)]);
    expect(r.error!.functionArgument).toBe(1n);
    expect(r.error!.text).toContain('times');
    expect(val('string', (await callFn('or_default', [dv('string', null)])).result)).toBe('default');
  });

  test('FunctionCallError from the function keeps its argument index; other errors have none', async () => {
    const bad = await callFn('repeat', [dv('string', 'ab'), dv('number', n(-1))]);
    expect([bad.error!.text, bad.error!.functionArgument]).toEqual(['times must be a whole number ≥ 0', 1n]);
    const plain = await callFn('or_default', [dv('string', 'boom')]);
    expect([plain.error!.text, plain.error!.functionArgument]).toEqual(['plain failure', undefined]);
  });

  test('an unknown function is a FunctionError', async () => {
    const r = await callFn('nope', []);
    expect(r.error!.text).toContain('nope');
  });
});

describe('StopProvider', () => {
  test('answers an empty Error and aborts operations in flight', async () => {
    await configure();
    let aborted = false;
    hooks.create = (ctx) =>
      new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          aborted = true;
          reject(new ProviderError('Stopped', 'Terraform asked the provider to stop'));
        });
      });
    const apply = rpc(server, 'applyResourceChange', {
      typeName: 'test_thing',
      priorState: dv(THING, null),
      plannedState: dv(THING, thingConfig({ name: 'web', size: n(3), mode: unknown(), id: unknown(), etag: unknown() })),
      config: dv(THING, thingConfig({ name: 'web' })),
    });
    await new Promise((resolve) => setImmediate(resolve));
    const stop = await rpc(server, 'stopProvider', {});
    expect(stop.Error).toBe('');
    const r = await apply;
    expect(aborted).toBe(true);
    expect(errors(r.diagnostics).map((d) => d.summary)).toEqual(['Stopped']);
  });
});
