/**
 * The generic plan rules (docs/plugin-protocol/resource-instance-change-lifecycle.md
 * and docs/architecture.md §3): configured values unchanged, defaults fill nulls, computed
 * values unknown on create and kept on update unless they change with it,
 * write-only values never planned, a change to a force-new attribute plans a
 * replacement.
 */
import { CtyNumber, isUnknown, unknown, type CtyValue } from '../../../providers/runtime/cty';
import type { ObjectValue } from '../../../providers/runtime/interfaces';
import { planObject } from '../../../providers/runtime/plan';
import type { AttributeSchema, BlockSchema } from '../../../providers/runtime/schema';

const n = (x: number | string) => CtyNumber.of(x);
const a = (flags: Partial<AttributeSchema> & Pick<AttributeSchema, 'type'>): AttributeSchema => ({ description: '', ...flags });

const block: BlockSchema = {
  description: 'test_thing',
  attributes: {
    name: a({ type: 'string', required: true }),
    size: a({ type: 'number', default: n(3) }),
    mode: a({ type: 'string', optional: true, computed: true }),
    region: a({ type: 'string', optional: true, forceNew: true }),
    zone: a({ type: 'string', optional: true, computed: true, forceNew: true }),
    secret: a({ type: 'string', optional: true, sensitive: true, writeOnly: true }),
    tags: a({ type: ['list', 'string'], optional: true }),
    id: a({ type: 'string', computed: true }),
    etag: a({ type: 'string', computed: true, changesOnUpdate: true }),
  },
  blocks: {
    rule: { nesting: 'list', block: { description: '', attributes: { port: a({ type: 'number', required: true }) } } },
  },
};

/** A config object as Terraform sends it: every attribute present, computed-only ones null. */
const config = (values: ObjectValue): ObjectValue => ({
  name: null,
  size: null,
  mode: null,
  region: null,
  zone: null,
  secret: null,
  tags: null,
  id: null,
  etag: null,
  rule: [],
  ...values,
});

const prior: ObjectValue = {
  name: 'web',
  size: n(5),
  mode: 'fast',
  region: 'eu',
  zone: 'eu-1',
  secret: null,
  tags: ['a'],
  id: 'id-1',
  etag: 'etag-1',
  rule: [{ port: n(80) }],
};
const priorConfig = config({ name: 'web', size: n(5), mode: 'fast', region: 'eu', zone: 'eu-1', tags: ['a'], rule: [{ port: n(80) }] });

describe('create (no prior state)', () => {
  test('configured values pass through unchanged; computed-only values are unknown', () => {
    const cfg = config({ name: 'web', size: n('0.1'), mode: 'slow', region: 'eu', zone: 'z', tags: ['x', 'y'], rule: [{ port: n(443) }] });
    const { planned, requiresReplace } = planObject(block, null, cfg);
    for (const key of ['name', 'size', 'mode', 'region', 'zone', 'tags', 'rule']) expect(planned[key]).toBe(cfg[key]);
    expect(isUnknown(planned.id)).toBe(true);
    expect(isUnknown(planned.etag)).toBe(true);
    expect(requiresReplace).toEqual([]);
  });

  test('defaults fill nulls; optional+computed nulls are unknown; plain optional nulls stay null', () => {
    const { planned } = planObject(block, null, config({ name: 'web' }));
    expect(String(planned.size)).toBe('3');
    expect(isUnknown(planned.mode)).toBe(true);
    expect(isUnknown(planned.zone)).toBe(true);
    expect(planned.region).toBeNull();
    expect(planned.tags).toBeNull();
  });

  test('unknown config values (references not yet known) stay unknown', () => {
    const { planned } = planObject(block, null, config({ name: unknown(), tags: unknown(), size: unknown() }));
    expect(isUnknown(planned.name)).toBe(true);
    expect(isUnknown(planned.tags)).toBe(true);
    expect(isUnknown(planned.size)).toBe(true); // a default only fills null, not unknown
  });

  test('write-only values are planned null even when configured', () => {
    expect(planObject(block, null, config({ name: 'web', secret: 'hunter2' })).planned.secret).toBeNull();
  });

  test('every attribute and block key is in the plan (objects carry every attribute)', () => {
    const { planned } = planObject(block, null, config({ name: 'web' }));
    expect(Object.keys(planned).sort()).toEqual([...Object.keys(block.attributes), 'rule'].sort());
  });
});

describe('update (prior state present)', () => {
  test('nothing changed: the plan is the prior state, no replacement', () => {
    const { planned, requiresReplace } = planObject(block, prior, priorConfig);
    expect(planned).toEqual(prior);
    expect(requiresReplace).toEqual([]);
  });

  test('an equal number in another form (1.0 vs 1) is no change', () => {
    const p = { ...prior, size: n(1) };
    const { planned } = planObject(block, p, { ...priorConfig, size: n('1.0') });
    expect(planned.etag).toBe('etag-1');
  });

  test('a change keeps computed values, except those declared changesOnUpdate', () => {
    const { planned, requiresReplace } = planObject(block, prior, { ...priorConfig, name: 'web2' });
    expect(planned.name).toBe('web2');
    expect(planned.id).toBe('id-1');
    expect(isUnknown(planned.etag)).toBe(true);
    expect(requiresReplace).toEqual([]);
  });

  test('a change inside a nested block is a change', () => {
    const cfg = { ...priorConfig, rule: [{ port: n(81) }] };
    const { planned } = planObject(block, prior, cfg);
    expect(planned.rule).toBe(cfg.rule);
    expect(isUnknown(planned.etag)).toBe(true);
  });

  describe('nested blocks compare by their type', () => {
    const inner: BlockSchema = { description: '', attributes: { port: a({ type: 'number', required: true }) } };
    const nested: BlockSchema = {
      description: '',
      attributes: { etag: a({ type: 'string', computed: true, changesOnUpdate: true }) },
      blocks: { bag: { nesting: 'set', block: inner }, named: { nesting: 'map', block: inner } },
    };
    const before: ObjectValue = { etag: 'e1', bag: [{ port: n(1) }, { port: n(2) }], named: new Map([['a', { port: n(1) }]]) };

    test('a set block in another order, with numbers in another form, is no change', () => {
      const { planned } = planObject(nested, before, { etag: null, bag: [{ port: n('2.0') }, { port: n(1) }], named: new Map([['a', { port: n(1) }]]) });
      expect(planned.etag).toBe('e1');
    });

    test('a changed entry of a map block is a change', () => {
      const { planned } = planObject(nested, before, { etag: null, bag: before.bag, named: new Map([['a', { port: n(9) }]]) });
      expect(isUnknown(planned.etag)).toBe(true);
    });

    test('a new key in a map block is a change', () => {
      const named = new Map([['a', { port: n(1) }], ['b', { port: n(1) }]]);
      expect(isUnknown(planObject(nested, before, { etag: null, bag: before.bag, named }).planned.etag)).toBe(true);
    });
  });

  test('optional+computed left null keeps the prior value (no perpetual diff)', () => {
    const { planned } = planObject(block, prior, { ...priorConfig, mode: null, zone: null });
    expect(planned.mode).toBe('fast');
    expect(planned.zone).toBe('eu-1');
    expect(planned.etag).toBe('etag-1');
  });

  test('an attribute with a default removed from config goes back to the default, which is a change', () => {
    const { planned } = planObject(block, prior, { ...priorConfig, size: null });
    expect(String(planned.size)).toBe('3');
    expect(isUnknown(planned.etag)).toBe(true);
  });

  test('a plain optional attribute removed from config is planned null', () => {
    expect(planObject(block, prior, { ...priorConfig, tags: null }).planned.tags).toBeNull();
  });

  test('write-only: planned null, and a new write-only value alone is no change', () => {
    const { planned, requiresReplace } = planObject(block, prior, { ...priorConfig, secret: 'rotated' });
    expect(planned.secret).toBeNull();
    expect(planned).toEqual(prior);
    expect(requiresReplace).toEqual([]);
  });
});

describe('force-new attributes', () => {
  const cases: [string, CtyValue, string[][]][] = [
    ['changed value', 'us', [['region']]],
    ['unknown value (may change)', unknown(), [['region']]],
    ['removed (null)', null, [['region']]],
    ['same value', 'eu', []],
  ];
  test.each(cases)('region %s → requires_replace %j', (_what, region, expected) => {
    expect(planObject(block, prior, { ...priorConfig, region }).requiresReplace).toEqual(expected);
  });

  test('optional+computed force-new left null keeps its prior value: no replacement', () => {
    expect(planObject(block, prior, { ...priorConfig, zone: null }).requiresReplace).toEqual([]);
  });

  test('two force-new changes name both paths', () => {
    expect(planObject(block, prior, { ...priorConfig, region: 'us', zone: 'us-1' }).requiresReplace).toEqual([['region'], ['zone']]);
  });

  test('never on create', () => {
    expect(planObject(block, null, config({ name: 'web', region: 'us', zone: unknown() })).requiresReplace).toEqual([]);
  });
});
