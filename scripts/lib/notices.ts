/**
 * THIRD_PARTY_NOTICES.txt of the release archive: the license text of every package the
 * provider bundle contains, and Node.js's own LICENSE where the archive embeds Node.
 *
 * The package list is the bundle's own: esbuild's metafile names every input file, and
 * each input under node_modules belongs to one package (name@version from its
 * package.json). license-checker-rseidelsohn finds each package's license file, text and
 * NOTICE file. A package that ships no license file (the checker would offer its README)
 * gets the standard texts of the SPDX licenses its package.json names, from
 * spdx-license-list, and says so; a license without a known text fails the build.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { BUILD_CACHE, ROOT } from './paths';
import { packageVersion } from './sea';

export interface BundledPackage {
  name: string;
  version: string;
  dir: string;
}

/** The packages whose files esbuild put into the bundle, sorted by name. */
export function bundledPackages(metafile: Metafile, cwd: string = ROOT): BundledPackage[] {
  const found = new Map<string, BundledPackage>();
  for (const input of Object.keys(metafile.inputs)) {
    const parts = input.split(/[\\/]/);
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) continue; // the project's own sources
    const depth = parts[at + 1]?.startsWith('@') ? 2 : 1;
    const dir = join(cwd, ...parts.slice(0, at + 1 + depth));
    if (found.has(dir)) continue;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
    found.set(dir, { name: pkg.name, version: pkg.version, dir });
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : 1));
}

interface ModuleInfo {
  licenses?: string | string[];
  licenseText?: string;
  licenseFile?: string;
  noticeFile?: string;
  path?: string;
  repository?: string;
}

function checkLicenses(start: string, packages: BundledPackage[]): Promise<Record<string, ModuleInfo>> {
  const checker = require('license-checker-rseidelsohn') as {
    init(options: Record<string, unknown>, callback: (err: Error | null, result: Record<string, ModuleInfo>) => void): void;
  };
  return new Promise((resolve, reject) =>
    checker.init(
      {
        start,
        includePackages: packages.map((p) => `${p.name}@${p.version}`).join(';'),
        customFormat: { licenses: '', licenseText: '', licenseFile: '', noticeFile: '', path: '', repository: '' },
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );
}

const rule = '='.repeat(78);

/** The license text a package ships, or the SPDX texts of the licenses it declares. */
function licenseText(id: string, found: ModuleInfo | undefined, declared: string): string {
  const file = found?.licenseFile?.split(/[\\/]/).pop() ?? '';
  if (found?.licenseText && !/^readme/i.test(file)) return found.licenseText.trim();
  const spdx = require('spdx-license-list/full') as Record<string, { name: string; licenseText: string }>;
  const ids = declared.split(/[()\s]+|\bAND\b|\bOR\b|\bWITH\b/).filter(Boolean);
  const unknown = ids.filter((l) => !spdx[l]);
  if (ids.length === 0 || unknown.length > 0) throw new Error(`bundled package ${id} ships no license file and declares ${JSON.stringify(declared)}: expected SPDX license ids`);
  return [
    `(${id} ships no license file. Below are the standard texts of the licenses its package.json declares, as published by SPDX; the copyright holders are named in the package's repository.)`,
    ...ids.map((l) => `${spdx[l].name} (${l})\n\n${spdx[l].licenseText.trim()}`),
  ].join('\n\n');
}

const CACHE_DIR = join(BUILD_CACHE, 'notices');

/**
 * One section per package. The checker reads the whole installed tree (≈ 2 s), so the
 * sections are cached for the same package list (name@version is immutable on npm).
 */
async function packageSections(packages: BundledPackage[]): Promise<string[]> {
  const ids = packages.map((p) => `${p.name}@${p.version}`);
  const key = createHash('sha256').update(`${ids.join('\n')}\0${packageVersion('license-checker-rseidelsohn')}\0${packageVersion('spdx-license-list')}`).digest('hex').slice(0, 24);
  const cached = join(CACHE_DIR, `${key}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as string[];
  const info = await checkLicenses(ROOT, packages);
  const sections: string[] = [];
  for (const p of packages) {
    const id = `${p.name}@${p.version}`;
    const found = info[id];
    if (!found) throw new Error(`license-checker-rseidelsohn did not find the bundled package ${id} (${p.dir})`);
    const licenses = Array.isArray(found.licenses) ? found.licenses.join(' OR ') : (found.licenses ?? '');
    let section = `${id} — ${licenses}${found.repository ? ` — ${found.repository}` : ''}\n\n${licenseText(id, found, licenses)}\n`;
    if (found.noticeFile && existsSync(found.noticeFile)) section += `\nNOTICE:\n\n${readFileSync(found.noticeFile, 'utf8').trim()}\n`;
    sections.push(section);
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(cached, JSON.stringify(sections));
  return sections;
}

/** The notices text. `node` adds Node's LICENSE (the single executables embed Node). */
export async function thirdPartyNotices(metafile: Metafile, options: { node?: { version: string; text: string }; legalComments?: string } = {}): Promise<string> {
  const packages = bundledPackages(metafile);
  const sections = await packageSections(packages);
  const header = [
    'Third-party software in terraform-provider-qianfan',
    '',
    `The provider bundle contains ${packages.length} npm packages, listed below with their license texts.`,
    options.node ? `The executable embeds Node.js ${options.node.version}; its license (which covers the software inside node) follows the packages.` : 'This form runs on the Node.js installed on the machine; no Node.js is included.',
    '',
  ].join('\n');
  const parts = [header, ...sections];
  if (options.node) parts.push(`Node.js ${options.node.version}\n\n${options.node.text.trim()}\n`);
  if (options.legalComments?.trim()) parts.push(`Legal comments found in the bundled sources (esbuild)\n\n${options.legalComments.trim()}\n`);
  return parts.join(`\n${rule}\n\n`);
}
