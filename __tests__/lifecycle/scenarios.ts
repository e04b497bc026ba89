/**
 * The lifecycle conformance table: every Terraform lifecycle path the suite walks, which
 * provider object types it applies to, and which engines can run it. The test files
 * implement the rows (each row names its file); the matrix printed at the end of the run
 * (matrix.ts) is rendered from this table, so a row nobody ran shows as "not run", never
 * as missing.
 */
import type { Engine } from '../../scripts/lib/engines';

export type ResourceKey = 'app' | 'connector' | 'schedule' | 'discovery' | 'status';

export const RESOURCE_KEYS: ResourceKey[] = ['app', 'connector', 'schedule', 'discovery', 'status'];

/** Terraform type of each matrix column. */
export const RESOURCE_TYPES: Record<ResourceKey, string> = {
  app: 'qianfan_yufu_oidc_app',
  connector: 'qianfan_apaas_hr_connector',
  schedule: 'qianfan_apaas_sync_schedule',
  discovery: 'qianfan_oidc_discovery',
  status: 'qianfan_apaas_sync_status',
};

export interface Row {
  id: string;
  title: string;
  /** The test file (without `.test.ts`) that implements the row. */
  file: string;
  /** Per object type: true when the row applies, else why it does not. */
  applies: Record<ResourceKey, true | string>;
  /** Why an engine cannot run the row, or null when it can. */
  engineGate?: (engine: Engine) => string | null;
}

const version = (e: Engine): [number, number] => e.version.split('.').map(Number) as [number, number];
const atLeast = (e: Engine, major: number, minor: number): boolean => {
  const [a, b] = version(e);
  return a > major || (a === major && b >= minor);
};
/** `import` blocks and `plan -generate-config-out`: Terraform ≥ 1.5, OpenTofu ≥ 1.6 (its first release). */
const importBlocks = (e: Engine) => (atLeast(e, 1, e.name === 'terraform' ? 5 : 6) ? null : `${e.name} ${e.version} has no import blocks (Terraform ≥ 1.5, OpenTofu ≥ 1.6)`);
/** Ephemeral resources feeding write-only arguments: Terraform ≥ 1.11 (ephemeral since 1.10), OpenTofu ≥ 1.11. */
const ephemeralWriteOnly = (e: Engine) => (atLeast(e, 1, 11) ? null : `${e.name} ${e.version} has no ephemeral resources and no write-only arguments (Terraform ≥ 1.11, OpenTofu ≥ 1.11)`);
/** `terraform test` / `tofu test` with run blocks that apply: Terraform ≥ 1.6, OpenTofu ≥ 1.6. */
const testCommand = (e: Engine) => (atLeast(e, 1, 6) ? null : `${e.name} ${e.version} has no test command with run blocks (≥ 1.6)`);

const ALL = { app: true, connector: true, schedule: true, discovery: true, status: true } as const;
/** The managed types apply; the two data sources do not, for these reasons. */
const NO_DATA = (discovery: string, status = discovery) => ({ app: true, connector: true, schedule: true, discovery, status }) as const;
const DATA_NOT_MANAGED = 'a data source has no remote object: nothing to import, move, replace or destroy';
const DATA_READ_ONLY = 'a data source is only read; nothing to leave half-done';
const HR_ONLY = { app: 'the HR directory does not touch the Yufu app', connector: true, schedule: true, discovery: 'the HR directory does not touch discovery', status: true } as const;

export const ROWS: Row[] = [
  // basic.test.ts: one tenant through its whole life
  { id: 'create', title: 'create; empty second plan', file: 'basic', applies: ALL },
  { id: 'update', title: 'update in place (description, secret rotation, cron); empty second plan', file: 'basic', applies: ALL },
  { id: 'replace-forced', title: 'forced replacement (application_type, tenant_id); empty second plan', file: 'basic', applies: ALL },
  { id: 'destroy', title: 'destroy; empty destroy plan after; tenant source, users and departments stay', file: 'basic', applies: NO_DATA(DATA_NOT_MANAGED) },

  // replace.test.ts: replacement on request and its guards
  { id: 'replace-flag', title: '`apply -replace=ADDR`', file: 'replace', applies: NO_DATA(DATA_NOT_MANAGED) },
  { id: 'cbd-replace-flag', title: '`create_before_destroy` + `apply -replace=ADDR`', file: 'replace', applies: NO_DATA(DATA_NOT_MANAGED) },
  { id: 'cbd-forcing-change', title: '`create_before_destroy` + a change that forces replacement', file: 'replace', applies: NO_DATA(DATA_NOT_MANAGED) },
  { id: 'prevent-destroy', title: '`prevent_destroy` refuses a forcing change and `destroy` at plan time', file: 'replace', applies: NO_DATA(DATA_NOT_MANAGED) },

  // collections.test.ts
  { id: 'count-add', title: '`count`: add one', file: 'collections', applies: ALL },
  { id: 'count-remove', title: '`count`: remove the last one', file: 'collections', applies: ALL },
  { id: 'for-each-add', title: '`for_each`: add a key', file: 'collections', applies: ALL },
  { id: 'for-each-remove', title: '`for_each`: remove a key', file: 'collections', applies: ALL },
  { id: 'for-each-rekey', title: '`for_each`: re-key (same remote names under new keys, no `moved`)', file: 'collections', applies: ALL },
  { id: 'parallelism-1', title: '`apply -parallelism=1` of 4 tenants', file: 'collections', applies: ALL },
  { id: 'parallelism-20', title: '`apply -parallelism=20` of 4 tenants', file: 'collections', applies: ALL },

  // flags.test.ts: refresh and targeting
  { id: 'refresh-only', title: '`plan/apply -refresh-only` after an out-of-band change, then converge', file: 'flags', applies: NO_DATA('its document changes only with its app', 'it reports the sync; nothing in it is configuration that could drift') },
  { id: 'ignore-changes', title: '`ignore_changes` hides an out-of-band change; other changes still apply', file: 'flags', applies: NO_DATA('data sources have no lifecycle block') },
  { id: 'refresh-false', title: '`plan -refresh=false` reads nothing remote and sees no drift', file: 'flags', applies: NO_DATA('-refresh=false is about refreshing the state of managed objects') },
  { id: 'target', title: '`-target`: only the target and its dependencies', file: 'flags', applies: NO_DATA('a data source is not a useful -target') },

  // import.test.ts
  { id: 'import-block', title: '`import` blocks; empty plan after', file: 'import', applies: NO_DATA(DATA_NOT_MANAGED), engineGate: importBlocks },
  { id: 'generate-config', title: '`plan -generate-config-out`: the generated config plans clean', file: 'import', applies: NO_DATA(DATA_NOT_MANAGED), engineGate: importBlocks },
  { id: 'import-cli', title: 'CLI `import`; empty plan after', file: 'import', applies: NO_DATA(DATA_NOT_MANAGED) },
  { id: 'moved', title: '`moved` blocks: new addresses, same remote objects', file: 'import', applies: NO_DATA(DATA_NOT_MANAGED) },
  { id: 'state-mv-rm', title: '`state mv`, `state rm` then re-import: same remote objects', file: 'import', applies: NO_DATA(DATA_NOT_MANAGED) },

  // provider-config.test.ts
  { id: 'unknown-values', title: 'unknown values at plan (arguments from other resources\' computed attributes)', file: 'provider-config', applies: ALL },
  { id: 'unknown-provider-fresh', title: 'unknown provider configuration, fresh state', file: 'provider-config', applies: ALL },
  { id: 'unknown-provider-existing', title: 'unknown provider configuration, existing state', file: 'provider-config', applies: ALL },
  { id: 'provider-aliases', title: 'two provider configurations (alias) for two tenants on two services', file: 'provider-config', applies: ALL },
  {
    id: 'ephemeral-write-only',
    title: 'bring your own secret: the ephemeral app secret into the write-only argument; rotation; nothing in state',
    file: 'provider-config',
    applies: { app: true, connector: true, schedule: 'the schedule takes no secret', discovery: 'discovery takes no secret', status: 'the sync status takes no secret' },
    engineGate: ephemeralWriteOnly,
  },

  // interrupt.test.ts
  { id: 'sigint', title: 'SIGINT once during apply (graceful), then re-apply', file: 'interrupt', applies: NO_DATA(DATA_READ_ONLY) },
  { id: 'sigkill', title: 'SIGKILL of the engine mid-create, then re-apply; no orphaned provider', file: 'interrupt', applies: NO_DATA(DATA_READ_ONLY) },

  // tenants.test.ts: the directory, the test command and the tenants file
  {
    id: 'sync-between-plans',
    title: 'a sync run, two hires and a leaver between two plans: no diff (plain HCL)',
    file: 'tenants',
    applies: HR_ONLY,
  },
  {
    id: 'sync-between-plans-stack',
    title: 'the same on the project\'s own stack (tenants file → TenantsStack)',
    file: 'tenants',
    applies: HR_ONLY,
  },
  { id: 'terraform-test', title: '`terraform test` with a .tftest.hcl that applies and asserts', file: 'tenants', applies: ALL, engineGate: testCommand },
  { id: 'tenant-removed', title: 'a tenant removed from the tenants file: exactly what the README says is destroyed', file: 'tenants', applies: NO_DATA(DATA_NOT_MANAGED) },
];

export function rowById(id: string): Row {
  const row = ROWS.find((r) => r.id === id);
  if (!row) throw new Error(`lifecycle: no row "${id}" in __tests__/lifecycle/scenarios.ts`);
  return row;
}
