/** Where things live. One place, so scripts, tests and benches agree. */
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const BUILD_DIR = join(ROOT, '.build');
export const DIST_DIR = join(ROOT, 'dist');
export const PROVIDER_BUNDLE = join(DIST_DIR, 'provider', 'terraform-provider-qianfan.cjs');
export const LAUNCHER_BUNDLE = join(DIST_DIR, 'provider', 'launcher.cjs');
export const MIRROR_DIR = join(BUILD_DIR, 'mirror');
export const CLI_CONFIG = join(BUILD_DIR, 'terraform.rc');
export const PLUGIN_CACHE = join(BUILD_DIR, 'plugin-cache');

export const PROVIDER_HOST = 'registry.qianfan.local';
export const PROVIDER_NAMESPACE = 'qianfan';
export const PROVIDER_TYPE = 'qianfan';
export const PROVIDER_SOURCE = `${PROVIDER_HOST}/${PROVIDER_NAMESPACE}/${PROVIDER_TYPE}`;
export const PROVIDER_VERSION = '0.1.0';

/** The unpacked plugin directory, as Terraform extracts the release archive. */
export const STAGE_DIR = join(DIST_DIR, 'stage');
export const RELEASE_DIR = join(DIST_DIR, 'release');
export const stagedExecutable = join(STAGE_DIR, `terraform-provider-${PROVIDER_TYPE}_v${PROVIDER_VERSION}`);
