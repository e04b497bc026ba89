/**
 * The provider's unit tests (__tests__/providers/) again, under the Node line the single
 * executable embeds (scripts/lib/node-binaries.ts), as well as under the machine's node
 * that runs the rest of `npm test`. Extra arguments go to jest.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { hostNodeBinary } from './lib/node-binaries';
import { ROOT } from './lib/paths';

const node = hostNodeBinary();
if (!node) {
  process.stderr.write(`!! the embedded Node line is fetched for linux amd64 only; this is ${process.platform}/${process.arch}: provider unit tests NOT run under it\n`);
  process.exit(1);
}
process.stderr.write(`provider unit tests under the embedded Node ${node.version} (${node.executable})\n`);
const jest = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const result = spawnSync(node.executable, [jest, join(ROOT, '__tests__', 'providers'), '--selectProjects', 'cdktf', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  // Tests that start the emulator run it on this node: its native modules are built for it.
  env: { ...process.env, QIANFAN_EMULATOR_NODE: process.execPath },
});
process.exit(result.status ?? 1);
