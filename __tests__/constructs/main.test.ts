/**
 * main.ts (the example tenant): `buildApp` synthesizes one stack whose secret outputs
 * are marked sensitive and whose JSON carries no credentials (they come from the
 * environment at plan time, never from synthesis). The stack's name is main.ts's
 * business (it was "tenant-demo"; the tenants-file rework names it "tenants").
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../main';

interface StackJson {
  output: Record<string, { value: unknown; sensitive?: boolean }>;
  provider: Record<string, Record<string, unknown>[]>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  terraform: { required_providers: Record<string, { source: string }> };
}

describe('buildApp', () => {
  const marker = 'SECRET-MARKER-4b9c';
  let outdir: string;
  let manifest: { stacks: Record<string, { synthesizedStackPath: string }> };
  let stackNames: string[];
  let text: string;
  let stack: StackJson;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'main-synth'));
    const saved = { ...process.env };
    // Credentials in the environment must stay there: synthesis never copies them.
    process.env.QIANFAN_YUFU_SERVICE_ACCOUNT = JSON.stringify({ private_key: marker });
    process.env.QIANFAN_APAAS_SECRET_ID = marker;
    process.env.QIANFAN_APAAS_SECRET_KEY = marker;
    try {
      buildApp(outdir).synth();
    } finally {
      process.env = saved;
    }
    manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    stackNames = Object.keys(manifest.stacks);
    text = readFileSync(join(outdir, manifest.stacks[stackNames[0]].synthesizedStackPath), 'utf8');
    stack = JSON.parse(text) as StackJson;
  });

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('one stack', () => {
    expect(stackNames).toHaveLength(1);
  });

  const refersTo = (o: { value: unknown }, attribute: string) =>
    new RegExp(`\\$\\{[a-z_]+\\.[^.]+\\.${attribute}\\}`).test(JSON.stringify(o.value));

  test('no output carries the client secret, and no resource is given one: the provider moves it', () => {
    expect(text).not.toMatch(/client_secret(?!_version|_in_sync)/);
    expect(Object.values(stack.output).some((o) => o.sensitive)).toBe(false);
  });

  test('no output changes with a sync run (the CI gate sees only declared changes)', () => {
    for (const volatile of ['employees_synced', 'departments_synced', 'next_run_at', 'last_run_status', 'connector_status']) {
      expect(Object.values(stack.output).some((o) => refersTo(o, volatile))).toBe(false);
    }
  });

  test('the Yufu app is there, with its client id output', () => {
    expect(Object.keys(stack.resource.qianfan_yufu_oidc_app)).toHaveLength(1);
    expect(Object.values(stack.output).some((o) => refersTo(o, 'client_id'))).toBe(true);
  });

  test('the provider is the project\'s own, and no credential reaches the JSON', () => {
    expect(stack.terraform.required_providers.qianfan.source).toBe('registry.qianfan.local/qianfan/qianfan');
    expect(text).not.toContain(marker);
    for (const block of stack.provider.qianfan) {
      for (const key of Object.keys(block)) expect(key).not.toMatch(/service_account$|secret|credentials$|private_key/);
    }
  });
});
