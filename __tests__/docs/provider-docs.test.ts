/** The provider docs in docs/ are generated from the schema; this fails when they are stale. */
import { renderDocs, staleDocs } from '../../scripts/docs';
import { qianfanProvider } from '../../providers/qianfan/provider';

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
