/**
 * Private data: the bytes Terraform keeps next to a resource's state and hands back
 * (prior_private in plan, planned_private in apply, private in read). The runtime
 * shows them to resources as a JSON object (ctx.private), lets them set the outgoing
 * bytes (ctx.setPrivate), and passes the incoming bytes through untouched otherwise.
 */
import { isUnknown, unknown, type CtyValue } from '../../../providers/runtime/cty';
import { ProviderError } from '../../../providers/runtime/diagnostics';
import type { CallContext, ObjectValue, PlanContext, ProviderDefinition } from '../../../providers/runtime/interfaces';
import { decodePrivate, encodePrivate } from '../../../providers/runtime/private';
import { blockType, type Schema } from '../../../providers/runtime/schema';
import { createProviderServer, type ProviderServer } from '../../../providers/runtime/server';
import { captureStderr, dv, errors, privateBytes, privateData, rpc, val } from '../../helpers/provider-rpc';

const schema: Schema = {
  version: 0,
  block: {
    description: '',
    attributes: {
      name: { type: 'string', description: '', required: true, forceNew: true },
      id: { type: 'string', description: '', computed: true },
    },
  },
};
const TYPE = blockType(schema.block);

/** What each hook saw of the private data, and what it sets. */
interface Hooks {
  plan?(ctx: PlanContext<string>): void;
  create?(ctx: CallContext<string>): void;
  update?(ctx: CallContext<string>): void;
  delete?(ctx: CallContext<string>): void;
  read?(ctx: CallContext<string>): void;
  importState?(ctx: CallContext<string>): void;
}
let hooks: Hooks = {};
const seen: Record<string, unknown> = {};

const definition: ProviderDefinition<string> = {
  name: 'test',
  version: '0',
  schema: { version: 0, block: { description: '', attributes: {} } },
  configure: async () => 'client',
  resources: [
    {
      typeName: 'test_thing',
      schema,
      modifyPlan: (ctx) => {
        seen.plan = ctx.private;
        hooks.plan?.(ctx);
      },
      read: async (ctx, state) => {
        seen.read = ctx.private;
        hooks.read?.(ctx);
        return state;
      },
      create: async (ctx, planned) => {
        seen.create = ctx.private;
        hooks.create?.(ctx);
        return { ...planned, id: 'id-1' };
      },
      update: async (ctx, _prior, planned) => {
        seen.update = ctx.private;
        hooks.update?.(ctx);
        return planned;
      },
      delete: async (ctx) => {
        seen.delete = ctx.private;
        hooks.delete?.(ctx);
      },
      importState: async (ctx, id) => {
        seen.importState = ctx.private;
        hooks.importState?.(ctx);
        return { name: `imported-${id}`, id };
      },
    },
  ],
  dataSources: [],
  functions: [],
};

let server: ProviderServer;
beforeEach(async () => {
  hooks = {};
  for (const k of Object.keys(seen)) delete seen[k];
  server = createProviderServer(definition);
  await rpc(server, 'configureProvider', { config: dv(['object', {}], {}) });
});

const state = (name: string, id: CtyValue = 'id-1'): ObjectValue => ({ name, id });
const plan = (prior: ObjectValue | null, config: ObjectValue, priorPrivate?: Uint8Array) =>
  rpc(server, 'planResourceChange', {
    typeName: 'test_thing',
    priorState: dv(TYPE, prior),
    config: dv(TYPE, config),
    proposedNewState: dv(TYPE, { ...config, id: prior?.id ?? unknown() }),
    priorPrivate,
  });
const apply = (prior: ObjectValue | null, planned: ObjectValue | null, plannedPrivate?: Uint8Array) =>
  rpc(server, 'applyResourceChange', {
    typeName: 'test_thing',
    priorState: dv(TYPE, prior),
    plannedState: dv(TYPE, planned),
    config: dv(TYPE, planned === null ? null : { ...planned, id: null }),
    plannedPrivate,
  });

describe('the encoding: UTF-8 JSON of an object; no bytes is null', () => {
  test.each([
    ['no bytes', '', null],
    ['an object', '{"key":"k1","n":2,"nested":{"ok":true}}', { key: 'k1', n: 2, nested: { ok: true } }],
    ['an empty object', '{}', {}],
  ])('%s (%j) decodes to %j', (_what, text, expected) => {
    expect(decodePrivate(Buffer.from(text, 'utf8'), 'test')).toEqual(expected);
  });

  test.each([
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"text"'],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
    ['text that is not JSON', 'flatmap:1'],
    ['bytes that are not UTF-8 JSON', '\u00ff\u00fe'],
  ])('%s decodes to null, with a warning that does not show the content', (_what, text) => {
    const stderr = captureStderr();
    try {
      expect(decodePrivate(Buffer.from(text, 'latin1'), 'plan of test_thing')).toBeNull();
      const logged = stderr.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged.map((l) => [l['@level'], l.where, l.bytes])).toEqual([['warn', 'plan of test_thing', Buffer.from(text, 'latin1').length]]);
      // The line says where and how long, never what: no other field than these.
      expect(Object.keys(logged[0]).sort()).toEqual(['@level', '@message', '@module', '@timestamp', 'bytes', 'where']);
      expect(logged[0]['@message']).toBe('ignoring private data that is not a JSON object');
    } finally {
      stderr.restore();
    }
  });

  test('encode: null is no bytes; an object is its JSON', () => {
    expect(encodePrivate(null)).toEqual(new Uint8Array(0));
    expect(Buffer.from(encodePrivate({ a: [1, 'b'] })).toString('utf8')).toBe('{"a":[1,"b"]}');
    expect(decodePrivate(encodePrivate({ 'ключ': 'значение' }), 'x')).toEqual({ 'ключ': 'значение' });
  });
});

describe('what each RPC hands in, and what comes back', () => {
  test('plan: ctx.private is prior_private; without setPrivate the bytes come back unchanged', async () => {
    const incoming = privateBytes({ marker: 'm' });
    const r = await plan(state('a'), { name: 'a', id: null }, incoming);
    expect(seen.plan).toEqual({ marker: 'm' });
    expect(Buffer.from(r.plannedPrivate)).toEqual(Buffer.from(incoming));
  });

  test('plan: setPrivate sets planned_private; null clears it', async () => {
    hooks.plan = (ctx) => ctx.setPrivate({ ...(ctx.private ?? {}), planned: true });
    expect(privateData((await plan(state('a'), { name: 'a', id: null }, privateBytes({ marker: 'm' }))).plannedPrivate)).toEqual({ marker: 'm', planned: true });
    hooks.plan = (ctx) => ctx.setPrivate(null);
    expect((await plan(state('a'), { name: 'a', id: null }, privateBytes({ marker: 'm' }))).plannedPrivate).toHaveLength(0);
  });

  test('a replace: data set while planning reaches the create (Terraform re-plans it with prior_private = planned_private)', async () => {
    hooks.plan = (ctx) => {
      if (ctx.private === null) ctx.setPrivate({ creationKey: 'ck-1' });
    };
    // 1. The plan of the change: the name forces a replacement.
    const first = await plan(state('old'), { name: 'new', id: null });
    expect(first.requiresReplace).toHaveLength(1);
    // 2. Terraform plans the create half with no prior state and the first call's planned_private.
    const second = await plan(null, { name: 'new', id: null }, first.plannedPrivate);
    expect(seen.plan).toEqual({ creationKey: 'ck-1' });
    const planned = val(TYPE, second.plannedState) as ObjectValue;
    expect(isUnknown(planned.id)).toBe(true);
    // 3. The create gets planned_private; what it sets is the new object's private.
    hooks.create = (ctx) => ctx.setPrivate({ ...(ctx.private ?? {}), created: true });
    const created = await apply(null, planned, second.plannedPrivate);
    expect(errors(created.diagnostics)).toEqual([]);
    expect(seen.create).toEqual({ creationKey: 'ck-1' });
    expect(privateData(created.private)).toEqual({ creationKey: 'ck-1', created: true });
  });

  test('apply: update and delete see planned_private; without setPrivate it comes back unchanged', async () => {
    const incoming = privateBytes({ v: 1 });
    const updated = await apply(state('a'), state('b'), incoming);
    expect(seen.update).toEqual({ v: 1 });
    expect(Buffer.from(updated.private)).toEqual(Buffer.from(incoming));
    const deleted = await apply(state('b'), null, privateBytes({ v: 2 }));
    expect(seen.delete).toEqual({ v: 2 });
    expect(val(TYPE, deleted.newState)).toBeNull();
  });

  test('a failed apply keeps what the resource recorded before failing (and the prior state)', async () => {
    hooks.update = (ctx) => {
      ctx.setPrivate({ halfDone: 'step-1' });
      throw new ProviderError('Cannot update', 'the service refused step 2');
    };
    const r = await apply(state('a'), state('b'), privateBytes({ v: 1 }));
    expect(errors(r.diagnostics).map((d) => d.summary)).toEqual(['Cannot update']);
    expect(val(TYPE, r.newState)).toEqual(state('a'));
    expect(privateData(r.private)).toEqual({ halfDone: 'step-1' });
  });

  test('read: ctx.private is private; setPrivate replaces it in the response', async () => {
    const read = () => rpc(server, 'readResource', { typeName: 'test_thing', currentState: dv(TYPE, state('a')), private: privateBytes({ seen: 0 }) });
    expect(privateData((await read()).private)).toEqual({ seen: 0 });
    hooks.read = (ctx) => ctx.setPrivate({ seen: ((ctx.private?.seen as number) ?? 0) + 1 });
    expect(privateData((await read()).private)).toEqual({ seen: 1 });
    expect(seen.read).toEqual({ seen: 0 });
  });

  test('import: no incoming data; what the resource sets is the imported object’s private', async () => {
    hooks.importState = (ctx) => ctx.setPrivate({ importedAt: 'now' });
    const r = await rpc(server, 'importResourceState', { typeName: 'test_thing', id: 'x' });
    expect(seen.importState).toBeNull();
    expect(privateData(r.importedResources[0].private)).toEqual({ importedAt: 'now' });
    hooks.importState = undefined;
    expect((await rpc(server, 'importResourceState', { typeName: 'test_thing', id: 'y' })).importedResources[0].private).toHaveLength(0);
  });

  test('bytes that are not a JSON object: ctx.private is null, and untouched bytes still pass through', async () => {
    const foreign = Uint8Array.of(1, 2, 3);
    const stderr = captureStderr();
    try {
      const r = await plan(state('a'), { name: 'a', id: null }, foreign);
      expect(seen.plan).toBeNull();
      expect(Buffer.from(r.plannedPrivate)).toEqual(Buffer.from(foreign));
      expect(stderr.lines()).toHaveLength(1);
    } finally {
      stderr.restore();
    }
  });

  test('a destroy plan does not ask the resource and keeps prior_private', async () => {
    const incoming = privateBytes({ keep: true });
    const r = await rpc(server, 'planResourceChange', {
      typeName: 'test_thing',
      priorState: dv(TYPE, state('a')),
      config: dv(TYPE, null),
      proposedNewState: dv(TYPE, null),
      priorPrivate: incoming,
    });
    expect(seen.plan).toBeUndefined();
    expect(Buffer.from(r.plannedPrivate)).toEqual(Buffer.from(incoming));
  });
});
