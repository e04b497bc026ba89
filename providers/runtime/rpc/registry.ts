/**
 * The provider's resources, data sources, ephemeral resources and functions by name,
 * each schema checked once at start (a bad schema is a provider bug, refused before
 * Terraform sees it). An unknown type name is the user's to see, as a diagnostic.
 */
import { ProviderError } from '../diagnostics';
import type { DataSourceDefinition, EphemeralResourceDefinition, FunctionDefinition, ProviderDefinition, ResourceDefinition } from '../interfaces';
import { checkSchema, type Schema, type SchemaKind } from '../schema';

function byName<T extends { typeName: string; schema: Schema }>(items: readonly T[], kind: SchemaKind): Map<string, T> {
  const out = new Map<string, T>();
  for (const item of items) {
    checkSchema(item.schema, item.typeName, kind);
    out.set(item.typeName, item);
  }
  return out;
}

export class Registry<Client> {
  readonly resources: ReadonlyMap<string, ResourceDefinition<Client>>;
  readonly dataSources: ReadonlyMap<string, DataSourceDefinition<Client>>;
  readonly ephemeralResources: ReadonlyMap<string, EphemeralResourceDefinition<Client>>;
  readonly functions: ReadonlyMap<string, FunctionDefinition>;

  constructor(definition: ProviderDefinition<Client>) {
    checkSchema(definition.schema, 'provider', 'provider');
    this.resources = byName(definition.resources, 'resource');
    this.dataSources = byName(definition.dataSources, 'data source');
    this.ephemeralResources = byName(definition.ephemeralResources ?? [], 'ephemeral resource');
    this.functions = new Map(definition.functions.map((f) => [f.name, f]));
  }

  resource(typeName: string): ResourceDefinition<Client> {
    return found(this.resources.get(typeName), 'Unknown resource type', `this provider has no resource type "${typeName}"`);
  }

  dataSource(typeName: string): DataSourceDefinition<Client> {
    return found(this.dataSources.get(typeName), 'Unknown data source', `this provider has no data source "${typeName}"`);
  }

  ephemeralResource(typeName: string): EphemeralResourceDefinition<Client> {
    return found(this.ephemeralResources.get(typeName), 'Unknown ephemeral resource type', `this provider has no ephemeral resource type "${typeName}"`);
  }
}

function found<T>(item: T | undefined, summary: string, detail: string): T {
  if (item === undefined) throw new ProviderError(summary, detail);
  return item;
}
