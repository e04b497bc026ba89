/**
 * The tenants-file entry that declares a live setup exactly as it is, so that the next
 * plan only imports.
 *
 * The defaults are not restated here: the entry is found by synthesizing. A probe entry
 * (id and Corp Key only) goes through the same path the next synth takes — the file's
 * `defaults:`, tenantsByStack, TenantsStack, QianfanTenant, YufuOidcApplication — and
 * what that synthesizes (with the provider schema's defaults for what it leaves out) is
 * compared with the live objects; every setting that differs is spelled out. The result
 * is then parsed as a tenants file and synthesized again, and must match the live
 * objects in every setting the plan compares, or the tenant is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { App, Testing } from '../../constructs/framework';
import { DEFAULT_SCHEDULE, type SyncScheduleProps } from '../../constructs/qianfan-tenant';
import { parseTenantsFile, tenantsByStack, TenantsFileError, type TenantEntry, type TenantsFile } from '../../constructs/tenants-file';
import { TenantsStack } from '../../constructs/tenants-stack';
import { CtyNumber } from '../../providers/runtime/cty';
import type { AttributeSchema, BlockSchema } from '../../providers/runtime/schema';
import { schema as connectorSchema } from '../../providers/qianfan/resources/apaas_hr_connector';
import { schema as scheduleSchema } from '../../providers/qianfan/resources/apaas_sync_schedule';
import { schema as appSchema } from '../../providers/qianfan/resources/yufu_oidc_app';
import { schemaDefaults } from '../../providers/qianfan/values';
import type { LiveSetup } from './live-setup';

type Defaults = TenantsFile['defaults'];
type Attrs = Record<string, unknown>;

export interface AdoptedEntry {
  entry: TenantEntry;
  /** The settings spelled out because they differ from the defaults, e.g. "sso.scopes". */
  spelledOut: string[];
}

export type EntryResult = { ok: true; adopted: AdoptedEntry } | { ok: false; problems: string[] };

interface Synthesized {
  app: Attrs;
  connector: Attrs;
  schedule: Attrs | null;
  imports: { to: string; id: string }[];
}

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const isSet = (a: AttributeSchema) => Array.isArray(a.type) && a.type[0] === 'set';

/** A value as the plan compares it: numbers as numbers, sets sorted. */
function comparable(value: unknown, attribute: AttributeSchema | undefined): string {
  let v = value instanceof CtyNumber ? value.toNumber() : value;
  if (Array.isArray(v) && attribute && isSet(attribute)) v = [...new Set(v as string[])].sort();
  return JSON.stringify(v ?? null);
}

/** The synthesized value, or the schema's default where the configuration leaves it out. */
function effective(block: BlockSchema, attrs: Attrs, name: string): unknown {
  return attrs[name] !== undefined ? attrs[name] : (schemaDefaults(block)[name] ?? null);
}

const same = (block: BlockSchema, attrs: Attrs, name: string, live: unknown) =>
  comparable(effective(block, attrs, name), block.attributes[name]) === comparable(live, block.attributes[name]);

/** The Yufu app settings a configuration declares (the rotation trigger apart). */
const APP_SETTINGS = Object.entries(appSchema.block.attributes)
  .filter(([name, a]) => (a.required || a.optional) && name !== 'client_secret_version')
  .map(([name]) => name);

const SCHEDULE_SETTINGS: [keyof SyncScheduleProps, string][] = [
  ['cron', 'cron'],
  ['timeZone', 'time_zone'],
  ['mode', 'mode'],
  ['enabled', 'enabled'],
];

let outdir: string | undefined;
process.once('exit', () => outdir && rmSync(outdir, { recursive: true, force: true }));

/** What the next synth makes of this entry under the file's defaults. */
function synthesize(defaults: Defaults, entry: TenantEntry): Synthesized {
  outdir ??= mkdtempSync(join(tmpdir(), 'qianfan-adopt-'));
  const [[, entries]] = [...tenantsByStack({ defaults, tenants: [entry] })];
  const stack = new TenantsStack(new App({ outdir, stackTraces: false }), 'adopt', entries);
  const json = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Attrs>>; import?: { to: string; id: string }[] };
  const only = (type: string) => (json.resource[type] ? Object.values(json.resource[type])[0] : null);
  return { app: only('qianfan_yufu_oidc_app')!, connector: only('qianfan_apaas_hr_connector')!, schedule: only('qianfan_apaas_sync_schedule'), imports: json.import ?? [] };
}

/** Why a value cannot be written in the tenants file, or null when it can. */
function inexpressible(id: string, corpKey: string, key: string, value: unknown): string | null {
  try {
    parseTenantsFile(JSON.stringify({ tenants: [{ id, corpKey, sso: { [key]: value } }] }), 'probe');
    return null;
  } catch (error) {
    if (!(error instanceof TenantsFileError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  }
}

const HOW_TO_KEEP: Record<string, (value: unknown, setup: LiveSetup) => string> = {
  application_type: (value, { app }) =>
    `the tenants file has no setting for the app type, and Yufu cannot change it in place (another type replaces the app: new client id and secret). ` +
    `Keep it by declaring this tenant in TypeScript with QianfanTenant — sso: { applicationType: ${JSON.stringify(value)} }, importExisting: { appId: "${app.id}", connector: true, schedule: true } — or leave the tenant out of code.`,
};

function cannotExpress(setup: LiveSetup, name: string, value: unknown, why: string): string {
  const keep = HOW_TO_KEEP[name]?.(value, setup) ??
    `${why}. Keep it by declaring this tenant in TypeScript with QianfanTenant (sso.${camel(name)}) and importExisting { appId: "${setup.app.id}", connector: true, schedule: true }, or change it in the Yufu console and adopt again.`;
  return `the Yufu app "${setup.app.name}" (${setup.app.id}) has ${name} = ${JSON.stringify(value)}: ${keep}`;
}

/** Every setting the plan would change, comparing a synthesized entry with the live objects. */
function differences(s: Synthesized, setup: LiveSetup): string[] {
  const { app, connector, schedule } = setup;
  const out: string[] = [];
  for (const name of APP_SETTINGS) if (!same(appSchema.block, s.app, name, app[name as keyof typeof app])) out.push(`app ${name}`);
  if (!same(appSchema.block, s.app, 'client_secret_version', app.client_secret_version)) out.push('app client_secret_version');
  if (connector.well_known_url !== app.well_known_url) out.push('connector well_known_url');
  if (s.connector.corp_key !== connector.corp_key) out.push('connector corp_key');
  for (const name of ['wait_for_initial_sync', 'initial_sync_timeout']) {
    if (!same(connectorSchema.block, s.connector, name, schemaDefaults(connectorSchema.block)[name])) out.push(`connector ${name}`);
  }
  if ((s.schedule === null) !== (schedule === null)) out.push(schedule ? 'schedule (not declared)' : 'schedule (declared, none in aPaaS)');
  else if (s.schedule && schedule) {
    for (const [, name] of SCHEDULE_SETTINGS) if (!same(scheduleSchema.block, s.schedule, name, schedule[name as keyof typeof schedule])) out.push(`schedule ${name}`);
  }
  return out;
}

export function entryFor(setup: LiveSetup, defaults: Defaults, options: { stack?: string } = {}): EntryResult {
  const { tenant, connector, schedule, app } = setup;
  const id = tenant.tenant_id;
  const problems: string[] = [];
  const spelledOut: string[] = [];
  const base: TenantEntry = { id, ...(options.stack ? { stack: options.stack } : {}), corpKey: connector.corp_key };
  const probe = synthesize(defaults, base);

  if (connector.well_known_url !== app.well_known_url) {
    problems.push(
      `its connector's Well-known URL ${connector.well_known_url} is not the Yufu app's (${app.well_known_url}); the tenants file always gives the connector its app's URL, and saving it would start a full sync. ` +
        'Keep it by declaring the connector in TypeScript with the ApaasHrConnector binding (and importFrom), or set the app\'s URL in the aPaaS console and adopt again.',
    );
  }

  const entry: TenantEntry = { ...base };
  if (!same(appSchema.block, probe.app, 'client_secret_version', app.client_secret_version)) {
    entry.secretVersion = app.client_secret_version;
    spelledOut.push('secretVersion');
  }

  const sso: Record<string, unknown> = {};
  for (const name of APP_SETTINGS) {
    const live = app[name as keyof typeof app];
    if (same(appSchema.block, probe.app, name, live)) continue;
    const why = inexpressible(id, connector.corp_key, camel(name), live);
    if (why !== null) problems.push(cannotExpress(setup, name, live, why));
    else {
      sso[camel(name)] = live;
      spelledOut.push(`sso.${camel(name)}`);
    }
  }
  if (Object.keys(sso).length > 0) entry.sso = sso as TenantEntry['sso'];

  const scheduleDiffers = (probe.schedule === null) !== (schedule === null) ||
    (probe.schedule !== null && schedule !== null && SCHEDULE_SETTINGS.some(([, name]) => !same(scheduleSchema.block, probe.schedule!, name, schedule[name as keyof typeof schedule])));
  if (scheduleDiffers) {
    if (schedule === null) entry.schedule = false;
    else {
      const declared: Record<string, unknown> = { cron: schedule.cron };
      for (const [key, name] of SCHEDULE_SETTINGS) {
        if (key !== 'cron' && schedule[name as keyof typeof schedule] !== DEFAULT_SCHEDULE[key]) declared[key] = schedule[name as keyof typeof schedule];
      }
      entry.schedule = declared as TenantEntry['schedule'];
    }
    spelledOut.push('schedule');
  }

  const waitDefault = schemaDefaults(connectorSchema.block).wait_for_initial_sync;
  if (!same(connectorSchema.block, probe.connector, 'wait_for_initial_sync', waitDefault)) {
    // The import records the connector's default; what the file's defaults say applies to creates only.
    entry.waitForInitialSync = waitDefault as boolean;
    spelledOut.push('waitForInitialSync');
  }
  entry.import = { appId: app.id, connector: true, ...(schedule ? { schedule: true } : {}) };
  if (problems.length > 0) return { ok: false, problems };

  // The proof: the entry as the file will hold it, read back and synthesized, plans no change.
  let parsed: TenantEntry;
  try {
    parsed = parseTenantsFile(stringify({ ...(defaults ? { defaults } : {}), tenants: [entry] }), 'the new entry').tenants[0];
  } catch (error) {
    if (!(error instanceof TenantsFileError)) throw error;
    return { ok: false, problems: error.problems.map((p) => `the tenants file cannot hold what was found: ${p.path}: ${p.message}`) };
  }
  const check = synthesize(defaults, parsed);
  const left = differences(check, setup);
  const wantImports = schedule ? 3 : 2;
  if (left.length > 0 || check.imports.length !== wantImports) {
    return { ok: false, problems: [`the entry written from what was found would still plan changes (${[...left, `${check.imports.length} of ${wantImports} imports`].join(', ')}); nothing was written. This is a bug in npm run adopt: please report it with this message.`] };
  }
  return { ok: true, adopted: { entry, spelledOut } };
}
