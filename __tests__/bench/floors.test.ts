/**
 * The benchmark floors must plan the same graph as the stack they stand in for: the
 * terraform_data mirror rewrites every reference, and the echo provider finds the
 * recorded answer of each data source under the key its config gives.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerKey, echoProvider } from '../../bench/echo-provider/provider';
import { terraformDataMirror } from '../../bench/lib';

const APP = 'qianfan_yufu_oidc_app';
const DISCOVERY = 'qianfan_oidc_discovery';

describe('terraformDataMirror', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'floors-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const config = {
    resource: {
      [APP]: { 'bench-0_App': { name: 'bench tenant 0', scopes: ['openid'] } },
      qianfan_apaas_hr_connector: {
        'bench-0_Conn': { client_id: `\${${APP}.bench-0_App.client_id}`, corp_key: 'c', depends_on: [`${APP}.bench-0_App`] },
      },
    },
    data: { [DISCOVERY]: { 'bench-0_Disc': { well_known_url: `\${${APP}.bench-0_App.well_known_url}` } } },
    output: { t: { value: { issuer: `\${data.${DISCOVERY}.bench-0_Disc.issuer}`, id: `\${${APP}.bench-0_App.client_id}` } } },
    check: { c: [{ assert: [{ condition: `\${data.${DISCOVERY}.bench-0_Disc.issuer != ""}`, error_message: 'x' }] }] },
  };
  const state = {
    resources: [
      { mode: 'managed', type: APP, name: 'bench-0_App', instances: [{ attributes: { name: 'bench tenant 0', client_id: 'ai-1', well_known_url: 'http://w' } }] },
      { mode: 'managed', type: 'qianfan_apaas_hr_connector', name: 'bench-0_Conn', instances: [{ attributes: { client_id: 'ai-1', corp_key: 'c', id: 't' } }] },
      { mode: 'data', type: DISCOVERY, name: 'bench-0_Disc', instances: [{ attributes: { well_known_url: 'http://w', issuer: 'http://i' } }] },
    ],
  };

  it.each([
    ['a resource keeps what the apply stored', `${APP}__bench-0_App`, { input: { name: 'bench tenant 0', client_id: 'ai-1', well_known_url: 'http://w' } }],
    [
      'a reference becomes one to the copy, depends_on too',
      'qianfan_apaas_hr_connector__bench-0_Conn',
      { input: { client_id: `\${terraform_data.${APP}__bench-0_App.output.client_id}`, corp_key: 'c', id: 't' }, depends_on: [`terraform_data.${APP}__bench-0_App`] },
    ],
    [
      'a data source is a terraform_data of its own',
      `data_${DISCOVERY}__bench-0_Disc`,
      { input: { well_known_url: `\${terraform_data.${APP}__bench-0_App.output.well_known_url}`, issuer: 'http://i' } },
    ],
  ])('%s', (_what, name, expected) => {
    const stateFile = join(dir, 'terraform.tfstate');
    writeFileSync(stateFile, JSON.stringify(state));
    const mirror = terraformDataMirror(config, stateFile) as { resource: { terraform_data: Record<string, unknown> } };
    expect(mirror.resource.terraform_data[name]).toEqual(expected);
  });

  it('outputs and checks read the copies', () => {
    const stateFile = join(dir, 'terraform.tfstate');
    writeFileSync(stateFile, JSON.stringify(state));
    const mirror = terraformDataMirror(config, stateFile);
    expect(mirror.output).toEqual({
      t: { value: { issuer: `\${terraform_data.data_${DISCOVERY}__bench-0_Disc.output.issuer}`, id: `\${terraform_data.${APP}__bench-0_App.output.client_id}` } },
    });
    expect(JSON.stringify(mirror.check)).toContain(`terraform_data.data_${DISCOVERY}__bench-0_Disc.output.issuer != `);
    expect(JSON.stringify(mirror)).not.toMatch(/[^_]qianfan_[a-z_]+\.bench/);
  });
});

describe('the echo provider', () => {
  it.each(echoProvider.dataSources.map((d) => [d.typeName, d] as const))('files %s answers under the key its config gives', (_name, definition) => {
    const args = Object.entries(definition.schema.block.attributes).filter(([, a]) => a.required || (a.optional && !a.computed));
    expect(args.length).toBeGreaterThan(0);
    const config = Object.fromEntries(args.map(([n]) => [n, `value of ${n}`]));
    const stored = { ...config, some_figure: 'computed' };
    expect(answerKey(definition.typeName, definition.schema, config)).toBe(answerKey(definition.typeName, definition.schema, stored));
    expect(answerKey(definition.typeName, definition.schema, { ...config, [args[0][0]]: 'another' })).not.toBe(answerKey(definition.typeName, definition.schema, config));
  });

  it('calls no service: it refuses to create, update or delete', async () => {
    for (const r of echoProvider.resources) {
      await expect(Promise.resolve().then(() => r.create({} as never, {}, {}))).rejects.toThrow('does not create');
    }
  });
});
