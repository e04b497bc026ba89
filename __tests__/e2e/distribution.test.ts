/**
 * The distributable provider: release zips in the layout Terraform expects, with
 * hashes that `terraform init` and `terraform providers lock` agree with.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packRelease } from '../../scripts/build';
import { runEngine } from '../../scripts/lib/terraform';
import { enginesForTests } from '../helpers/engines';
import { tempDir } from '../helpers/workdir';

const engines = enginesForTests();
const config = {
  terraform: { required_providers: { qianfan: { source: 'registry.qianfan.local/qianfan/qianfan', version: '0.1.0' } } },
  output: { key: { value: 'ok' } },
};

// Packed from the staged build `npm test` made, into this test's own directory: other
// test files read dist/release/ (main.ts seeds lock files from it) at the same time.
let RELEASE_DIR: string;
let release: Awaited<ReturnType<typeof packRelease>>;
beforeAll(async () => {
  RELEASE_DIR = tempDir('release');
  release = await packRelease(RELEASE_DIR);
});

test('one zip per platform, SHA256SUMS and network-mirror metadata agree', () => {
  const sums = readFileSync(join(RELEASE_DIR, 'terraform-provider-qianfan_0.1.0_SHA256SUMS'), 'utf8');
  for (const a of release.archives) expect(sums).toContain(`${a.zh.slice(3)}  terraform-provider-qianfan_0.1.0_${a.platform}.zip`);
  const meta = JSON.parse(readFileSync(join(RELEASE_DIR, 'network-mirror/registry.qianfan.local/qianfan/qianfan/0.1.0.json'), 'utf8')) as {
    archives: Record<string, { url: string; hashes: string[] }>;
  };
  expect(Object.keys(meta.archives).sort()).toEqual(['darwin_amd64', 'darwin_arm64', 'linux_amd64', 'linux_arm64']);
  expect(meta.archives.linux_amd64.hashes).toContain(release.h1);
});

test('packing is reproducible: the same build gives byte-identical archives', async () => {
  const again = await packRelease(tempDir('release-again'));
  expect(again.h1).toBe(release.h1);
  expect(again.archives.map((a) => a.zh)).toEqual(release.archives.map((a) => a.zh));
});

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  test('init installs from the filesystem mirror and records the h1: hash the build computed', async () => {
    const dir = tempDir(`${engine.name}-dist`);
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
    const init = await runEngine(engine, ['init', '-input=false', '-no-color'], { cwd: dir });
    expect(init.code).toBe(0);
    expect(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8')).toContain(release.h1);
  });

  test('providers lock computes hashes for every platform from the release zips', async () => {
    const dir = tempDir(`${engine.name}-lock`);
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
    const mirror = join(RELEASE_DIR, 'network-mirror');
    const lock = await runEngine(
      engine,
      ['providers', 'lock', '-no-color', `-fs-mirror=${mirror}`, '-platform=linux_amd64', '-platform=darwin_arm64'],
      { cwd: dir, env: { TF_CLI_CONFIG_FILE: '/dev/null' } },
    );
    expect(lock.stderr).toBe('');
    expect(lock.code).toBe(0);
    // From a filesystem mirror the engine records h1: (content) hashes; every
    // platform's archive has the same content, so there is exactly one.
    const hcl = readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8');
    expect(hcl.match(/"h1:[^"]+"/g)).toEqual([`"${release.h1}"`]);
  });
});
