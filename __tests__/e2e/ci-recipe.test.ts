/**
 * The CI recipe (examples/ci/github-actions.yml) through its scripts, as a pipeline
 * runs them: secrets only in the environment, state in PostgreSQL, `npm run ci:plan`
 * on the pull request, `npm run ci:apply` of exactly that saved plan on merge.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { ROOT } from '../../scripts/lib/paths';
import { startPostgres, type RunningPostgres } from '../../scripts/lib/postgres';
import { EhrControl } from '../emulator/ehr-helpers';
import { enginesForTests } from '../helpers/engines';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { tempDir } from '../helpers/workdir';
import { YufuAdmin } from '../helpers/yufu-admin';

// One engine is enough here: the scripts are what is under test, and the engine
// matrix is covered by the other e2e files. Terraform when present.
const [engine] = enginesForTests();

let emulator: RunningEmulator;
let postgres: RunningPostgres;
let dir: string;
let env: Record<string, string>;
const suffix = randomBytes(3).toString('hex');
const tenants = [`ci-a-${suffix}`, `ci-b-${suffix}`];

function script(name: 'plan' | 'apply'): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/ci', `${name}.ts`)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function writeTenants(cron: string): void {
  writeFileSync(
    join(dir, 'tenants.yaml'),
    [
      'tenants:',
      ...tenants.flatMap((id, i) => [
        `  - id: ${id}`,
        `    corpKey: ci${suffix}`,
        `    stack: stack-${i === 0 ? 'a' : 'b'}`,
        `    sso: { name: "ci ${id}" }`,
        `    schedule: { cron: "${cron}", timeZone: Asia/Shanghai }`,
      ]),
      '',
    ].join('\n'),
  );
}

beforeAll(async () => {
  postgres = await startPostgres();
  dir = tempDir('ci-recipe');
  emulator = await startEmulator(join(dir, 'emulator'));
  await new EhrControl(emulator.info.ehr_url!).createCorp(`ci${suffix}`, 10, 3);
  const apaas = new ApaasApi(emulator.info.apaas_url!, readApaasCredentials(emulator.info.apaas_credentials_file!));
  for (const id of tenants) expect((await apaas.call('POST', '/__control/tenants', { tenant_id: id })).status).toBe(201);
  // What a CI secret store provides, as environment variables only.
  const credentials = readApaasCredentials(emulator.info.apaas_credentials_file!);
  env = {
    QIANFAN_ENGINE: engine.name,
    QIANFAN_TENANTS_FILE: join(dir, 'tenants.yaml'),
    QIANFAN_CDKTF_OUT: join(dir, 'cdktf.out'),
    QIANFAN_STATE_BACKEND: 'pg',
    PG_CONN_STR: postgres.url,
    QIANFAN_YUFU_ADMIN_URL: emulator.info.admin_url,
    QIANFAN_YUFU_SERVICE_ACCOUNT: readFileSync(emulator.info.service_account_file, 'utf8'),
    QIANFAN_APAAS_URL: emulator.info.apaas_url!,
    QIANFAN_APAAS_SECRET_ID: credentials.secretId,
    QIANFAN_APAAS_SECRET_KEY: credentials.secretKey,
  };
  writeTenants('0 2 * * *');
});

afterAll(async () => {
  await emulator?.stop();
  postgres?.stop();
});

test('pull request: plan -out every stack, with a per-tenant summary; no secret in the synthesized JSON', async () => {
  const plan = await script('plan');
  expect(plan.stderr).toBe('');
  expect(plan.code).toBe(0);
  const summary = readFileSync(join(env.QIANFAN_CDKTF_OUT, 'plan-summary.md'), 'utf8');
  expect(summary).toMatch(/### Stack `stack-a`: Plan: 3 to add, 0 to change, 0 to destroy/);
  expect(summary).toMatch(/### Stack `stack-b`: Plan: 3 to add, 0 to change, 0 to destroy/);
  for (const id of tenants) expect(summary).toContain(`| ${id} | 3 | 0 | 0 | 0 | 0 |`);
  for (const stack of ['stack-a', 'stack-b']) {
    const files = readdirSync(join(dir, 'cdktf.out', 'stacks', stack));
    expect(files).toContain('tfplan');
    const json = readFileSync(join(dir, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8');
    expect(json).toContain('"pg"');
    for (const secret of [env.PG_CONN_STR, env.QIANFAN_APAAS_SECRET_KEY, JSON.parse(env.QIANFAN_YUFU_SERVICE_ACCOUNT).privateKey.d as string]) {
      expect(json).not.toContain(secret);
      expect(plan.stdout).not.toContain(secret);
    }
  }
});

/** The files the workflow's upload-artifact step keeps (its `path:` globs: `*` matches one path segment). */
function artifactFiles(outdirParent: string): string[] {
  const workflow = parseYaml(readFileSync(join(ROOT, 'examples', 'ci', 'github-actions.yml'), 'utf8')) as {
    jobs: { plan: { steps: { uses?: string; with?: { path?: string } }[] } };
  };
  const upload = workflow.jobs.plan.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
  const patterns = upload.with!.path!.split('\n').map((l) => l.trim()).filter(Boolean);
  const all: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else all.push(relative(outdirParent, join(d, e.name)));
    }
  };
  walk(join(outdirParent, 'cdktf.out'));
  const matches = (pattern: string, file: string) =>
    new RegExp(`^${pattern.split('/').map((seg) => seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('/')}$`).test(file);
  return all.filter((f) => patterns.some((p) => matches(p, f)));
}

/** Every secret the emulator knows, in no file of the artifact (saved plans included). */
async function expectNoSecretIn(parent: string, files: string[], clientSecrets: number): Promise<void> {
  const yufu = new YufuAdmin(emulator.info);
  const secrets = [
    env.PG_CONN_STR,
    env.QIANFAN_APAAS_SECRET_KEY,
    (JSON.parse(env.QIANFAN_YUFU_SERVICE_ACCOUNT) as { privateKey: { d: string } }).privateKey.d,
    ...(await yufu.listApps()).map((a) => a.client_secret),
  ];
  expect(secrets.length).toBe(3 + clientSecrets);
  for (const file of files) {
    const bytes = readFileSync(join(parent, file)).toString('latin1');
    for (const secret of secrets) expect({ file, leaked: bytes.includes(secret) }).toEqual({ file, leaked: false });
  }
}

test('the artifact holds only what the apply needs, and no secret', async () => {
  const files = artifactFiles(dir);
  expect(files.filter((f) => f.endsWith('/tfplan')).sort()).toEqual(['cdktf.out/stacks/stack-a/tfplan', 'cdktf.out/stacks/stack-b/tfplan']);
  expect(files.some((f) => f.includes('.terraform/'))).toBe(false);
  await expectNoSecretIn(dir, files, 0); // a first plan: no app exists yet
  // The apply job starts from the artifact alone: copy it where a fresh job would unpack it.
  const unpacked = join(dir, 'artifact');
  for (const file of files) {
    mkdirSync(dirname(join(unpacked, file)), { recursive: true });
    cpSync(join(dir, file), join(unpacked, file));
  }
  env.QIANFAN_CDKTF_OUT = join(unpacked, 'cdktf.out');
});

test('merge: apply exactly the saved plans; a later plan has nothing to do', async () => {
  const apply = await script('apply');
  expect(apply.code).toBe(0);
  expect(apply.stdout).toMatch(/stack stack-a: Apply complete! Resources: 3 added/);
  expect(apply.stdout).toMatch(/stack stack-b: Apply complete! Resources: 3 added/);
  const yufu = new YufuAdmin(emulator.info);
  for (const id of tenants) expect(await yufu.appsNamed(`ci ${id}`)).toHaveLength(1);
  const again = await script('plan');
  expect(again.code).toBe(0);
  expect(readFileSync(join(env.QIANFAN_CDKTF_OUT, 'plan-summary.md'), 'utf8')).toMatch(/### Stack `stack-a`: no changes[\s\S]*### Stack `stack-b`: no changes/);
});

test('a saved plan that is no longer current is refused, not re-planned', async () => {
  writeTenants('0 3 * * *');
  expect((await script('plan')).code).toBe(0);
  const summary = readFileSync(join(env.QIANFAN_CDKTF_OUT, 'plan-summary.md'), 'utf8');
  for (const id of tenants) expect(summary).toContain(`| ${id} | 0 | 1 | 0 | 0 | 2 |`);
  // A plan of existing objects: the apps and connectors exist, their secrets too; none is in the artifact.
  await expectNoSecretIn(join(env.QIANFAN_CDKTF_OUT, '..'), artifactFiles(join(env.QIANFAN_CDKTF_OUT, '..')), tenants.length);
  expect((await script('apply')).code).toBe(0);
  // Applying the same saved plan a second time: the state moved on since it was made.
  const stale = await script('apply');
  expect(stale.code).toBe(1);
  expect(stale.stdout + stale.stderr).toMatch(/Saved plan is stale/);
});

test('a matrix job (QIANFAN_STACKS, from npm run ci:stacks) plans and applies only its stack', async () => {
  env.QIANFAN_STACKS = 'stack-b';
  try {
    const plan = await script('plan');
    expect(plan.code).toBe(0);
    const summary = readFileSync(join(env.QIANFAN_CDKTF_OUT, 'plan-summary.md'), 'utf8');
    expect(summary).toMatch(/### Stack `stack-b`: no changes/);
    expect(summary).not.toContain('stack-a');
    const apply = await script('apply');
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/stack stack-b: Apply complete!/);
    expect(apply.stdout).not.toContain('stack-a');
    env.QIANFAN_STACKS = 'stack-c';
    const unknown = await script('plan');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('QIANFAN_STACKS: no stack "stack-c"; expected some of stack-a, stack-b');
  } finally {
    delete env.QIANFAN_STACKS;
  }
});
