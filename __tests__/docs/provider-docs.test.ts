/** The provider docs in docs/ are generated from the schema; this fails when they are stale. */
import { encodeJsonValue } from '../../providers/runtime/cty';
import type { ProviderDefinition } from '../../providers/runtime/interfaces';
import { qianfanProvider } from '../../providers/qianfan/provider';
import { PROVIDER_DEFAULTS } from '../../providers/qianfan/defaults';
import { resolveClients } from '../../providers/qianfan/config';
import { parseDurationMs } from '../../providers/qianfan/rules';
import { renderDocs, staleDocs, typePage } from '../../scripts/docs';
import { typedSchemas } from '../../scripts/lib/schema-text';

test('every resource, data source and function has a page, and every attribute is documented', () => {
  const pages = renderDocs();
  for (const r of qianfanProvider.resources) {
    const page = pages.get(`resources/${r.typeName.replace(/^qianfan_/, '')}.md`);
    expect(page).toBeDefined();
    for (const name of Object.keys(r.schema.block.attributes)) expect(page).toContain(`\`${name}\``);
    expect(page).toMatch(/## Import/);
    expect(page).toMatch(/```terraform/);
  }
  for (const d of qianfanProvider.dataSources) expect(pages.get(`data-sources/${d.typeName.replace(/^qianfan_/, '')}.md`)).toMatch(/```terraform/);
  for (const f of qianfanProvider.functions) expect(pages.get(`functions/${f.name}.md`)).toMatch(/provider::qianfan::/);
});

test('sensitive and write-only attributes are marked as such', () => {
  const page = renderDocs().get('resources/apaas_hr_connector.md')!;
  expect(page).toMatch(/`client_secret` \(string, sensitive\)/);
  expect(page).toMatch(/`client_secret_wo` \(string, sensitive, write-only, Terraform ≥ 1\.11\)/);
});

test('docs/ matches the schema (run `npm run docs` after changing a schema)', () => {
  expect(staleDocs()).toEqual([]);
});

describe('defaults are declared once, as the schema default, and rendered from it', () => {
  const all = [{ typeName: 'provider', schema: qianfanProvider.schema, page: 'index.md' }, ...typedSchemas(qianfanProvider as ProviderDefinition<unknown>).map((t) => ({ ...t, page: typePage(t) }))];

  test('every attribute with a schema default shows that value on its line, and no other line shows one', () => {
    const pages = renderDocs();
    for (const t of all) {
      for (const [name, a] of Object.entries(t.schema.block.attributes)) {
        const line = pages.get(t.page)!.split('\n').find((l) => l.startsWith(`- \`${name}\` (`))!;
        const literal = a.default === undefined ? null : encodeJsonValue(a.type, a.default);
        expect([name, line.match(/^- `[^`]+` \([^`]*?default `([^`]*)`/)?.[1] ?? null]).toEqual([name, literal]);
      }
    }
  });

  test('no resource description restates a default in prose (docs render it from the schema default)', () => {
    const restated = all
      .filter((t) => t.typeName !== 'provider')
      .flatMap((t) => Object.entries(t.schema.block.attributes).filter(([, a]) => /\bDefaults?\b/.test(a.description)).map(([name]) => `${t.typeName}.${name}`));
    expect(restated).toEqual([]);
  });

  test('the provider block (no schema defaults in the protocol) quotes exactly the defaults it applies, from one table', () => {
    const provider = all.find((t) => t.typeName === 'provider')!;
    const quoted = Object.fromEntries(
      Object.entries(provider.schema.block.attributes).flatMap(([name, a]) => {
        const m = a.description.match(/\bDefault `([^`]+)`/);
        return m ? [[name, m[1]]] : [];
      }),
    );
    expect(quoted).toEqual(Object.fromEntries(Object.entries(PROVIDER_DEFAULTS).map(([k, v]) => [k, String(v)])));
    // What resolveClients applies when nothing is set is the same table.
    const { retry, timeoutMs } = resolveClients({});
    expect({ retries: retry.maxRetries, wait: retry.maxDelayMs, deadline: retry.deadlineMs, timeout: timeoutMs }).toEqual({
      retries: PROVIDER_DEFAULTS.max_retries,
      wait: parseDurationMs(PROVIDER_DEFAULTS.retry_max_wait),
      deadline: parseDurationMs(PROVIDER_DEFAULTS.operation_timeout),
      timeout: parseDurationMs(PROVIDER_DEFAULTS.request_timeout),
    });
  });
});

test('an ephemeral resource gets its page, in the terraform-plugin-docs layout', () => {
  const ephemeral = { ...qianfanProvider.resources[0], typeName: 'qianfan_example_secret', schema: { version: 0, block: { description: 'An example.', attributes: { value: { type: 'string' as const, description: 'The value.', computed: true, sensitive: true } } } } };
  const pages = renderDocs({ ...(qianfanProvider as ProviderDefinition<unknown>), ephemeralResources: [ephemeral as never] });
  expect(pages.get('ephemeral-resources/example_secret.md')).toMatch(/# qianfan_example_secret \(ephemeral resource\)[\s\S]*### Read-only\n\n- `value` \(string, sensitive\) The value\./);
});
