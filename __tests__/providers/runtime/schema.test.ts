/**
 * The schema model against the protocol: every attribute is exactly one of
 * required / optional / computed (optional+computed allowed), and values of a block
 * are encoded as the object type Terraform derives from it (object-wire-format.md:
 * single/group blocks → object, list → list, set → set, map → map).
 */
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { CtyNumber, type CtyType } from '../../../providers/runtime/cty';
import {
  Schema_NestedBlock_NestingMode,
  SchemaSchema,
  StringKind,
  type Schema_Attribute,
  type Schema_Block,
} from '../../../providers/runtime/gen/tfplugin6_pb';
import {
  blockType,
  checkSchema,
  isOptionalComputed,
  withoutWriteOnly,
  type AttributeSchema,
  type BlockSchema,
  type Schema,
} from '../../../providers/runtime/schema';
import { schema as toProtoSchema } from '../../../providers/runtime/toproto';

const attr = (type: CtyType, flags: Partial<AttributeSchema>): AttributeSchema => ({ type, description: `about ${JSON.stringify(type)}`, ...flags });

const inner: BlockSchema = {
  description: 'a nested block',
  attributes: { key: attr('string', { required: true }), value: attr('number', { optional: true }) },
};

const schema: Schema = {
  version: 3,
  block: {
    description: 'The **thing**.',
    attributes: {
      name: attr('string', { required: true }),
      note: attr('string', { optional: true }),
      id: attr('string', { computed: true }),
      mode: attr('string', { optional: true, computed: true }),
      size: attr('number', { default: CtyNumber.of(3) }),
      password: attr('string', { optional: true, sensitive: true, writeOnly: true }),
      tags: attr(['map', 'string'], { optional: true }),
      ports: attr(['list', 'number'], { optional: true, deprecated: 'use port_range' }),
      shape: attr(['object', { a: 'string', b: ['set', 'bool'] }], { optional: true }),
    },
    blocks: {
      one: { nesting: 'single', block: inner },
      many: { nesting: 'list', block: inner, minItems: 1, maxItems: 3 },
      bag: { nesting: 'set', block: inner },
      named: { nesting: 'map', block: inner },
      grouped: { nesting: 'group', block: inner },
    },
  },
};

describe('blockType', () => {
  test('attributes keep their types; nested blocks become object / list / set / map of the inner object', () => {
    const object: CtyType = ['object', { key: 'string', value: 'number' }];
    expect(blockType(schema.block)).toEqual([
      'object',
      {
        name: 'string',
        note: 'string',
        id: 'string',
        mode: 'string',
        size: 'number',
        password: 'string',
        tags: ['map', 'string'],
        ports: ['list', 'number'],
        shape: ['object', { a: 'string', b: ['set', 'bool'] }],
        one: object,
        many: ['list', object],
        bag: ['set', object],
        named: ['map', object],
        grouped: object,
      },
    ]);
  });
});

describe('checkSchema', () => {
  const one = (a: AttributeSchema, nested = false): Schema =>
    nested
      ? { version: 0, block: { description: '', attributes: {}, blocks: { outer: { nesting: 'list', block: { description: '', attributes: { bad: a } } } } } }
      : { version: 0, block: { description: '', attributes: { bad: a } } };

  test('accepts the declared example and each allowed combination', () => {
    expect(() => checkSchema(schema, 'test_thing')).not.toThrow();
    for (const flags of [{ required: true }, { optional: true }, { computed: true }, { optional: true, computed: true }, { default: 'x' }]) {
      expect(() => checkSchema(one(attr('string', flags)), 't')).not.toThrow();
    }
    expect(() => checkSchema(one(attr('string', { required: true, writeOnly: true })), 't')).not.toThrow();
  });

  test.each([
    ['required + computed', { required: true, computed: true }],
    ['required + optional', { required: true, optional: true }],
    ['required + default', { required: true, default: 'x' }],
    ['none of the three', {}],
    ['only sensitive', { sensitive: true }],
    ['write-only + computed', { optional: true, computed: true, writeOnly: true }],
    ['write-only + default', { writeOnly: true, default: 'x' }],
  ])('rejects %s, naming the attribute', (_what, flags) => {
    expect(() => checkSchema(one(attr('string', flags)), 'test_thing')).toThrow(/test_thing\.bad/);
  });

  test('checks attributes of nested blocks too, with their path', () => {
    expect(() => checkSchema(one(attr('string', { required: true, computed: true }), true), 'test_thing')).toThrow(/test_thing\.outer\.bad/);
    expect(() => checkSchema(one(attr('string', {}), true), 'test_thing')).toThrow(/test_thing\.outer\.bad/);
  });
});

describe('toproto.schema (GetProviderSchema)', () => {
  // Through the wire and back, so the message is what Terraform would decode.
  const proto = fromBinary(SchemaSchema, toBinary(SchemaSchema, toProtoSchema(schema)));
  const attributes = (block: Schema_Block) => Object.fromEntries(block.attributes.map((a) => [a.name, a]));
  const kind = (a: Schema_Attribute) => [a.required, a.optional, a.computed].map((f) => (f ? 1 : 0)).join('');

  test('the schema version is on the schema and its block', () => {
    expect(proto.version).toBe(3n);
    expect(proto.block!.version).toBe(3n);
    expect(proto.block!.description).toBe('The **thing**.');
    expect(proto.block!.descriptionKind).toBe(StringKind.MARKDOWN);
  });

  test('every attribute is exactly one of required / optional / computed, or optional+computed', () => {
    const check = (block: Schema_Block) => {
      for (const a of block.attributes) expect(['100', '010', '001', '011']).toContain(kind(a));
      for (const nested of block.blockTypes) check(nested.block!);
    };
    check(proto.block!);
    const got = attributes(proto.block!);
    expect(Object.fromEntries(Object.entries(got).map(([k, a]) => [k, kind(a)]))).toEqual({
      name: '100',
      note: '010',
      id: '001',
      mode: '011',
      size: '011', // a default makes it optional+computed: removing it from config resets the value
      password: '010',
      tags: '010',
      ports: '010',
      shape: '010',
    });
  });

  test('types are sent as cty type JSON; sensitive / write-only / deprecated flags carried', () => {
    const got = attributes(proto.block!);
    for (const [name, declared] of Object.entries(schema.block.attributes)) {
      expect(JSON.parse(Buffer.from(got[name].type).toString('utf8'))).toEqual(declared.type);
      if (name !== 'ports') expect(got[name].description).toBe(declared.description);
    }
    // The protocol carries only a flag: the deprecation message goes into the description.
    expect(got.ports.description).toBe('about ["list","number"]\n\n**Deprecated:** use port_range');
    expect(Buffer.from(got.shape.type).toString()).toBe('["object",{"a":"string","b":["set","bool"]}]');
    expect([got.password.sensitive, got.password.writeOnly]).toEqual([true, true]);
    expect([got.name.sensitive, got.name.writeOnly]).toEqual([false, false]);
    expect([got.ports.deprecated, got.name.deprecated]).toEqual([true, false]);
  });

  test('nested blocks carry their nesting mode, limits and attributes', () => {
    const blocks = Object.fromEntries(proto.block!.blockTypes.map((b) => [b.typeName, b]));
    expect(Object.fromEntries(Object.entries(blocks).map(([k, b]) => [k, b.nesting]))).toEqual({
      one: Schema_NestedBlock_NestingMode.SINGLE,
      many: Schema_NestedBlock_NestingMode.LIST,
      bag: Schema_NestedBlock_NestingMode.SET,
      named: Schema_NestedBlock_NestingMode.MAP,
      grouped: Schema_NestedBlock_NestingMode.GROUP,
    });
    expect([blocks.many.minItems, blocks.many.maxItems]).toEqual([1n, 3n]);
    expect([blocks.one.minItems, blocks.one.maxItems]).toEqual([0n, 0n]);
    expect(Object.keys(attributes(blocks.many.block!)).sort()).toEqual(['key', 'value']);
  });
});

test('withoutWriteOnly nulls write-only attributes and nothing else', () => {
  const state = { name: 'n', password: 'hunter2', note: null };
  expect(withoutWriteOnly(schema.block, state)).toEqual({ name: 'n', password: null, note: null });
  expect(state.password).toBe('hunter2'); // a copy
});

test('isOptionalComputed: optional+computed, or a default', () => {
  expect(isOptionalComputed(attr('string', { optional: true, computed: true }))).toBe(true);
  expect(isOptionalComputed(attr('string', { default: 'x' }))).toBe(true);
  expect(isOptionalComputed(attr('string', { optional: true }))).toBe(false);
  expect(isOptionalComputed(attr('string', { computed: true }))).toBe(false);
});
