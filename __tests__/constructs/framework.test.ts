/** Which framework package this run uses: both projects of the jest config run this file. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, FRAMEWORK, TerraformStack } from '../../constructs/framework';

test('the framework module loads the package the environment selects', () => {
  const expected = process.env.QIANFAN_CDK_FRAMEWORK === 'cdktn' ? 'cdktn' : 'cdktf';
  expect(FRAMEWORK).toBe(expected);
  const pkg = require(`${expected}/package.json`) as { version: string };
  const outdir = mkdtempSync(join(tmpdir(), 'framework-'));
  const app = new App({ outdir });
  new TerraformStack(app, 'probe');
  app.synth();
  const json = JSON.parse(readFileSync(join(outdir, 'stacks', 'probe', 'cdk.tf.json'), 'utf8')) as { '//'?: { metadata?: { version?: string } } };
  // The synthesized metadata names the framework version that produced it.
  expect(json['//']?.metadata?.version).toBe(pkg.version);
  process.stderr.write(`constructs tests running on ${expected} ${pkg.version}\n`);
});
