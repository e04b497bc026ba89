/**
 * The echo provider: the floor for any provider built on this runtime. It serves the
 * qianfan provider's own schemas through the same runtime (handshake, gRPC server,
 * protobuf, msgpack, schema checks, generic plan), built into the same kind of single
 * executable, but calls no service: a read returns the state it was given, a data
 * source answers from a file of recorded answers (QIANFAN_ECHO_DATA, written by
 * bench/floor.ts from a real run's state), and it never creates anything: its state
 * is a copy of a real one. The difference between the qianfan provider and this one
 * is what our own code and the service round trips cost.
 *
 * Benchmarks only; never shipped (scripts/build.ts does not bundle it). main.ts serves it.
 */
import { readFileSync } from 'node:fs';
import { decodeJsonValue } from '../../providers/runtime/cty';
import type { DataSourceDefinition, ObjectValue, ProviderDefinition, ResourceDefinition } from '../../providers/runtime/interfaces';
import { blockType, type Schema } from '../../providers/runtime/schema';
import { qianfanProvider } from '../../providers/qianfan/provider';

/** The key a data source's recorded answer is filed under: its type and its non-computed arguments. */
export function answerKey(typeName: string, schema: Schema, values: Record<string, unknown>): string {
  const args = Object.entries(schema.block.attributes)
    .filter(([, a]) => a.required || (a.optional && !a.computed))
    .map(([name]) => [name, values[name] ?? null]);
  return `${typeName} ${JSON.stringify(args)}`;
}

function refuse(what: string): never {
  throw new Error(`the echo provider does not ${what}: seed its state from a real run`);
}

const echoResource = (r: ResourceDefinition<unknown>): ResourceDefinition<unknown> => ({
  typeName: r.typeName,
  schema: r.schema,
  read: (_ctx, state) => Promise.resolve(state),
  create: () => refuse('create'),
  update: () => refuse('update'),
  delete: () => refuse('delete'),
});

let answers: Map<string, unknown> | undefined;
const recorded = (): Map<string, unknown> =>
  (answers ??= new Map(Object.entries(JSON.parse(readFileSync(process.env.QIANFAN_ECHO_DATA ?? refuse('run without QIANFAN_ECHO_DATA'), 'utf8')) as Record<string, unknown>)));

const echoDataSource = (d: DataSourceDefinition<unknown>): DataSourceDefinition<unknown> => ({
  typeName: d.typeName,
  schema: d.schema,
  read(_ctx, config) {
    const key = answerKey(d.typeName, d.schema, config);
    const answer = recorded().get(key);
    if (answer === undefined) refuse(`know ${key}`);
    return Promise.resolve(decodeJsonValue(blockType(d.schema.block), answer) as ObjectValue);
  },
});

export const echoProvider: ProviderDefinition<unknown> = {
  name: qianfanProvider.name,
  version: qianfanProvider.version,
  schema: qianfanProvider.schema,
  configure: () => Promise.resolve({}),
  resources: qianfanProvider.resources.map((r) => echoResource(r as ResourceDefinition<unknown>)),
  dataSources: qianfanProvider.dataSources.map((d) => echoDataSource(d as DataSourceDefinition<unknown>)),
  functions: [],
};
