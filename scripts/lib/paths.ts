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
/** The build's own caches (Node binaries, executables, archives, notices): outside node_modules, which `npm ci` wipes. */
export const BUILD_CACHE = join(BUILD_DIR, 'cache');

export const PROVIDER_HOST = 'registry.qianfan.local';
export const PROVIDER_NAMESPACE = 'qianfan';
export const PROVIDER_TYPE = 'qianfan';
export const PROVIDER_SOURCE = `${PROVIDER_HOST}/${PROVIDER_NAMESPACE}/${PROVIDER_TYPE}`;
import { PROVIDER_VERSION } from '../../providers/qianfan/version';

export { PROVIDER_VERSION };

/** The unpacked plugin directories, one per platform, as Terraform extracts the release archives. */
export const STAGE_DIR = join(DIST_DIR, 'stage');
export const RELEASE_DIR = join(DIST_DIR, 'release');
export const EXECUTABLE = `terraform-provider-${PROVIDER_TYPE}_v${PROVIDER_VERSION}`;
export const stageDir = (platform: string) => join(STAGE_DIR, platform);
/** This machine's (linux amd64) provider: the single executable. */
export const stagedExecutable = join(stageDir('linux_amd64'), EXECUTABLE);
/** The launcher form (the darwin arm64 archive's content): a shell script that runs the machine's node, so it runs here too. */
export const stagedLauncher = join(stageDir('darwin_arm64'), EXECUTABLE);
