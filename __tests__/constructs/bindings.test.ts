/**
 * The generated bindings (constructs/bindings/) and the schema Terraform is served agree,
 * in both directions, for every type: every settable attribute of the served schema is a
 * config property that synthesizes under its own name, nothing else is synthesized, and
 * every readable attribute — and nothing else — has a getter that resolves to a reference.
 * Runs under cdktf and cdktn (the two jest projects).
 */
import * as bindings from '../../constructs/bindings';
import { TerraformDataSource, TerraformOutput, TerraformProvider, TerraformResource, TerraformStack, Testing, type Construct } from '../../constructs/framework';
import { typeFromJson, type CtyType } from '../../providers/runtime/cty';
import type { Schema } from '../../providers/runtime/schema';
import { schema as toProtoSchema } from '../../providers/runtime/toproto';
import { qianfanProvider } from '../../providers/qianfan/provider';

type Json = Record<string, unknown>;
type Binding = (new (scope: Construct, id: string, config: Json) => Construct) & { tfResourceType: string };

interface Served {
  name: string;
  type: CtyType;
  required: boolean;
  optional: boolean;
  computed: boolean;
  writeOnly: boolean;
}

/** The attributes as GetProviderSchema serves them: what Terraform checks configuration against. */
function served(schema: Schema): Served[] {
  return toProtoSchema(schema).block!.attributes.map((a) => ({
    name: a.name,
    type: typeFromJson(a.type),
    required: a.required,
    optional: a.optional,
    computed: a.computed,
    writeOnly: a.writeOnly,
  }));
}

const settable = (a: Served) => a.required || a.optional;
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

function sample(type: CtyType, name: string, round: number): unknown {
  if (type === 'string') return `${name}-${round}`;
  if (type === 'number') return 10 + round;
  if (type === 'bool') return round % 2 === 0;
  if (Array.isArray(type) && (type[0] === 'list' || type[0] === 'set')) return [sample(type[1] as CtyType, name, round)];
  if (Array.isArray(type) && type[0] === 'map') return { key: sample(type[1] as CtyType, name, round) };
  throw new Error(`no sample for ${JSON.stringify(type)}`);
}

const exported = (Object.values(bindings) as unknown[]).filter((v): v is Binding => typeof v === 'function' && typeof (v as Partial<Binding>).tfResourceType === 'string');
const isA = (cls: Binding, base: unknown) => (cls.prototype as object) instanceof (base as new () => object);
const resources = exported.filter((c) => isA(c, TerraformResource));
const dataSources = exported.filter((c) => isA(c, TerraformDataSource));
const providers = exported.filter((c) => isA(c, TerraformProvider));

const TYPES: readonly (readonly [kind: 'resource' | 'data' | 'provider', typeName: string, schema: Schema, cls: () => Binding | undefined])[] = [
  ['provider', qianfanProvider.name, qianfanProvider.schema, () => providers.find((c) => c.tfResourceType === qianfanProvider.name)],
  ...qianfanProvider.resources.map((r) => ['resource' as const, r.typeName, r.schema, () => resources.find((c) => c.tfResourceType === r.typeName)] as const),
  ...qianfanProvider.dataSources.map((d) => ['data' as const, d.typeName, d.schema, () => dataSources.find((c) => c.tfResourceType === d.typeName)] as const),
];

/** The block the binding synthesized: resource / data / provider JSON of construct id "it". */
function block(json: Json, kind: string, typeName: string): Json {
  const section = json[kind] as Record<string, unknown>;
  const entry = kind === 'provider' ? (section[typeName] as Json[])[0] : (section[typeName] as Record<string, Json>).it;
  return Object.fromEntries(Object.entries(entry).filter(([k]) => k !== '//'));
}

function synthWith(cls: Binding, config: Json, after?: (it: Construct, stack: TerraformStack) => void): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  const it = new cls(stack, 'it', config);
  after?.(it, stack);
  return JSON.parse(Testing.synth(stack)) as Json;
}

test('every resource and data source of the provider has exactly one binding, and nothing else does', () => {
  expect(resources.map((c) => c.tfResourceType).sort()).toEqual(qianfanProvider.resources.map((r) => r.typeName).sort());
  expect(dataSources.map((c) => c.tfResourceType).sort()).toEqual(qianfanProvider.dataSources.map((d) => d.typeName).sort());
  expect(providers.map((c) => c.tfResourceType)).toEqual([qianfanProvider.name]);
});

describe.each(TYPES)('%s %s', (kind, typeName, schema, find) => {
  const attributes = served(schema);
  const cls = find()!;

  test('every settable attribute synthesizes from its config property, and nothing else is synthesized', () => {
    const config = Object.fromEntries(attributes.filter(settable).map((a) => [camel(a.name), sample(a.type, a.name, 1)]));
    const synthesized = block(synthWith(cls, config), kind, typeName);
    const expected = Object.fromEntries(attributes.filter(settable).map((a) => [a.name, sample(a.type, a.name, 1)]));
    expect(synthesized).toEqual(expected);
  });

  test('every setter changes its argument', () => {
    const required = Object.fromEntries(attributes.filter((a) => a.required).map((a) => [camel(a.name), sample(a.type, a.name, 1)]));
    const json = synthWith(cls, required, (it) => {
      for (const a of attributes.filter(settable)) (it as unknown as Json)[camel(a.name)] = sample(a.type, a.name, 2);
    });
    expect(block(json, kind, typeName)).toEqual(Object.fromEntries(attributes.filter(settable).map((a) => [a.name, sample(a.type, a.name, 2)])));
  });

  test('the HCL synthesis carries every settable attribute too', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new cls(stack, 'it', Object.fromEntries(attributes.filter(settable).map((a) => [camel(a.name), sample(a.type, a.name, 1)])));
    const hcl = String(Testing.synthHcl(stack));
    for (const a of attributes.filter(settable)) expect(hcl).toMatch(new RegExp(`\\b${a.name}\\s*=`));
  });

  test('the accessors are exactly the attributes (write-only ones set-only), and none shadows a framework member', () => {
    const own = Object.entries(Object.getOwnPropertyDescriptors(cls.prototype)).filter(([, d]) => d.get || d.set);
    const expected = attributes.map((a) => camel(a.name)).concat(kind === 'provider' ? ['alias'] : []);
    expect(own.map(([name]) => name).sort()).toEqual(expected.sort());
    for (const a of attributes) {
      const d = Object.getOwnPropertyDescriptor(cls.prototype, camel(a.name))!;
      expect([a.name, !!d.get, !!d.set]).toEqual([a.name, !a.writeOnly, settable(a)]);
    }
    const base = Object.getPrototypeOf(cls.prototype) as object;
    for (const [name] of own) if (name !== 'alias') expect(`${name} in base: ${name in base}`).toBe(`${name} in base: false`);
  });

  if (kind !== 'provider') {
    test('every readable attribute has a getter that references it in Terraform', () => {
      const required = Object.fromEntries(attributes.filter((a) => a.required).map((a) => [camel(a.name), sample(a.type, a.name, 1)]));
      const readable = attributes.filter((a) => !a.writeOnly);
      const json = synthWith(cls, required, (it, stack) => {
        for (const a of readable) new TerraformOutput(stack, `out_${a.name}`, { value: (it as unknown as Json)[camel(a.name)] });
      });
      const outputs = json.output as Record<string, { value: string }>;
      const address = kind === 'data' ? `data.${typeName}.it` : `${typeName}.it`;
      for (const a of readable) expect(outputs[`out_${a.name}`].value).toContain(`${address}.${a.name}`);
    });
  } else {
    test('the provider block keeps its alias and source address', () => {
      const json = synthWith(cls, { alias: 'second' });
      expect(block(json, kind, typeName)).toEqual({ alias: 'second' });
      expect((json.terraform as { required_providers: Json }).required_providers[typeName]).toEqual({ source: bindings.PROVIDER_SOURCE, version: bindings.GENERATOR_METADATA.providerVersion });
    });
  }
});

test('meta-arguments pass through to the framework', () => {
  const stack = new TerraformStack(Testing.app(), 'test');
  const provider = new bindings.QianfanProvider(stack, 'other', { alias: 'other' });
  const first = new bindings.ApaasSyncSchedule(stack, 'first', { tenantId: 't', cron: '0 2 * * *' });
  new bindings.ApaasSyncSchedule(stack, 'second', { tenantId: 't2', cron: '0 3 * * *', provider, dependsOn: [first], count: 2, lifecycle: { preventDestroy: true } });
  const second = (JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Json>> }).resource.qianfan_apaas_sync_schedule.second;
  expect(second).toMatchObject({ provider: 'qianfan.other', depends_on: ['qianfan_apaas_sync_schedule.first'], count: 2, lifecycle: { prevent_destroy: true } });
});

test('a type the bindings skip (ephemeral resources) can still be declared through the stack escape hatch the index names', () => {
  const stack = new TerraformStack(Testing.app(), 'test');
  stack.addOverride('ephemeral.qianfan_example.it', { app_id: 'x' });
  expect((JSON.parse(Testing.synth(stack)) as Json).ephemeral).toEqual({ qianfan_example: { it: { app_id: 'x' } } });
});
