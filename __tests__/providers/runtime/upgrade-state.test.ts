/**
 * Schema upgrades: UpgradeResourceState with a stored version lower than the
 * schema's calls the resource's upgradeState with the stored JSON (lossless numbers),
 * then the generic step (unknown keys dropped, missing ones null, write-only null).
 *
 * The resource here went from version 0 { name, port: string, secret } to version 1
 * { display_name, port: number, password (write-only), id }.
 */
import { CtyNumber } from '../../../providers/runtime/cty';
import { ProviderError } from '../../../providers/runtime/diagnostics';
import type { ObjectValue, ProviderDefinition } from '../../../providers/runtime/interfaces';
import { blockType, type Schema } from '../../../providers/runtime/schema';
import { createProviderServer } from '../../../providers/runtime/server';
import { captureStderr, errors, rpc, val } from '../../helpers/provider-rpc';

const schema: Schema = {
  version: 1,
  block: {
    description: '',
    attributes: {
      display_name: { type: 'string', description: '', required: true },
      port: { type: 'number', description: '', optional: true },
      password: { type: 'string', description: '', optional: true, writeOnly: true },
      id: { type: 'string', description: '', computed: true },
    },
  },
};
const TYPE = blockType(schema.block);

const upgrades: { fromVersion: number; raw: Record<string, unknown> }[] = [];

function upgradeState(fromVersion: number, raw: Record<string, unknown>): Record<string, unknown> {
  upgrades.push({ fromVersion, raw });
  if (raw.name === 'refuse') throw new ProviderError('Cannot upgrade', 'name "refuse" has no version-1 form', ['name']);
  const { name, port, ...rest } = raw;
  // Version 0 kept the port as a string; the number is kept exact.
  return { ...rest, display_name: name, port: typeof port === 'string' ? CtyNumber.parse(port) : port, password: 'from-old-secret', extra: 'dropped' };
}

const definition: ProviderDefinition<null> = {
  name: 'test',
  version: '0',
  schema: { version: 0, block: { description: '', attributes: {} } },
  configure: async () => null,
  resources: [
    {
      typeName: 'test_thing',
      schema,
      upgradeState,
      read: async (_ctx, state) => state,
      create: async (_ctx, planned) => planned,
      update: async (_ctx, _prior, planned) => planned,
      delete: async () => undefined,
    },
    { typeName: 'test_generic', schema, read: async (_ctx, s) => s, create: async (_c, p) => p, update: async (_c, _p, p) => p, delete: async () => undefined },
  ],
  dataSources: [],
  functions: [],
};

const server = createProviderServer(definition);
beforeEach(() => (upgrades.length = 0));

const upgrade = (json: string, version: bigint, typeName = 'test_thing') =>
  rpc(server, 'upgradeResourceState', { typeName, version, rawState: { json: new TextEncoder().encode(json) } });

test('version 0 → 1: the upgrader gets the stored JSON, its answer is shaped by the generic step', async () => {
  const r = await upgrade('{"name":"web","port":"8443","secret":"s3cr3t","id":"id-1"}', 0n);
  expect(r.diagnostics).toEqual([]);
  expect(upgrades).toEqual([{ fromVersion: 0, raw: { name: 'web', port: '8443', secret: 's3cr3t', id: 'id-1' } }]);
  const state = val(TYPE, r.upgradedState) as ObjectValue;
  // display_name and port from the upgrader; "secret" and "extra" dropped; the write-only password nulled.
  expect(state).toEqual({ display_name: 'web', port: CtyNumber.of(8443), password: null, id: 'id-1' });
});

test('numbers reach the upgrader losslessly (CtyNumber), not rounded through JS numbers', async () => {
  const r = await upgrade('{"name":"web","port":9007199254740993}', 0n);
  expect((upgrades[0].raw.port as CtyNumber).toString()).toBe('9007199254740993');
  expect(((val(TYPE, r.upgradedState) as ObjectValue).port as CtyNumber).toString()).toBe('9007199254740993');
});

test('a missing attribute in the upgrader’s answer becomes null', async () => {
  const state = val(TYPE, (await upgrade('{"name":"web"}', 0n)).upgradedState) as ObjectValue;
  expect(state).toEqual({ display_name: 'web', port: null, password: null, id: null });
});

test('the current version: the upgrader is not called', async () => {
  const r = await upgrade('{"display_name":"web","port":1,"id":"id-1"}', 1n);
  expect(upgrades).toEqual([]);
  expect(val(TYPE, r.upgradedState)).toEqual({ display_name: 'web', port: CtyNumber.of(1), password: null, id: 'id-1' });
});

test('an upgrader that refuses: its diagnostic, no upgraded state', async () => {
  const r = await upgrade('{"name":"refuse"}', 0n);
  expect(r.upgradedState).toBeUndefined();
  expect(errors(r.diagnostics).map((d) => [d.summary, d.detail])).toEqual([['Cannot upgrade', 'name "refuse" has no version-1 form']]);
});

test('an upgrader answer that does not fit the schema is an error, not a broken state', async () => {
  const stderr = captureStderr();
  try {
    const r = await upgrade('{"name":["not","a","string"]}', 0n);
    expect(r.upgradedState).toBeUndefined();
    expect(errors(r.diagnostics)).toHaveLength(1);
  } finally {
    stderr.restore();
  }
});

test('without an upgrader, an older version gets the generic step only', async () => {
  const r = await upgrade('{"name":"web","display_name":"kept","id":"id-1"}', 0n, 'test_generic');
  expect(val(TYPE, r.upgradedState)).toEqual({ display_name: 'kept', port: null, password: null, id: 'id-1' });
});

test('a newer stored version is refused before any upgrader runs', async () => {
  const r = await upgrade('{"display_name":"web"}', 2n);
  expect(upgrades).toEqual([]);
  expect(errors(r.diagnostics).map((d) => d.summary)).toEqual(['State written by a newer provider']);
});
