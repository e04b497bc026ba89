/**
 * Plain HCL, as users write it: the suite's configurations are `.tf` text rendered here,
 * never cdktf JSON. One template function per object type; the connector's,
 * `hrConnector`, is the only place that says how the connector gets the client secret.
 */
import { PROVIDER_SOURCE } from '../../scripts/lib/paths';

/** A raw HCL expression (a reference, a function call), as opposed to a literal. */
export class Expr {
  constructor(readonly text: string) {}
}
export const expr = (text: string): Expr => new Expr(text);

export type Hcl = string | number | boolean | null | Expr | Hcl[] | { [key: string]: Hcl };

/** A string literal: JSON escapes are valid HCL; template introducers are escaped. */
export function quote(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

export function render(value: Hcl, indent = ''): string {
  if (value instanceof Expr) return value.text;
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => render(v, indent)).join(', ')}]`;
  const inner = `${indent}  `;
  const entries = Object.entries(value).map(([k, v]) => `${inner}${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : quote(k)} = ${render(v, inner)}`);
  return entries.length === 0 ? '{}' : `{\n${entries.join('\n')}\n${indent}}`;
}

/** Meta-arguments and nested blocks, written as HCL lines inside a block. */
export interface Meta {
  count?: string;
  forEach?: string;
  provider?: string;
  dependsOn?: string[];
  /** The body of a `lifecycle` block, e.g. `create_before_destroy = true`. */
  lifecycle?: string;
}

export function block(head: string, attributes: Record<string, Hcl | undefined>, meta: Meta = {}): string {
  const lines: string[] = [];
  if (meta.count !== undefined) lines.push(`  count = ${meta.count}`);
  if (meta.forEach !== undefined) lines.push(`  for_each = ${meta.forEach}`);
  if (meta.provider !== undefined) lines.push(`  provider = ${meta.provider}`);
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) lines.push(`  ${key} = ${render(value, '  ')}`);
  if (meta.dependsOn?.length) lines.push(`  depends_on = [${meta.dependsOn.join(', ')}]`);
  if (meta.lifecycle !== undefined) lines.push(`  lifecycle {\n    ${meta.lifecycle.trim().split('\n').join('\n    ')}\n  }`);
  return `${head} {\n${lines.join('\n')}\n}\n`;
}

/** `terraform { required_providers }` and the default provider configuration (endpoints from the environment). */
export function header(defaultProvider: Record<string, Hcl | undefined> | null = {}): string {
  const required = `terraform {\n  required_providers {\n    qianfan = {\n      source  = ${quote(PROVIDER_SOURCE)}\n      version = "~> 0.1"\n    }\n  }\n}\n`;
  return defaultProvider === null ? required : `${required}\n${block('provider "qianfan"', defaultProvider)}`;
}

export const apaasUrlOf = (tenantId: string): string => `https://apaas.weworkpro.tencent-cloud.com/${tenantId}/`;

export interface AppArgs {
  name: Hcl;
  /** The aPaaS tenant the app signs in to: sets redirect and post-logout URIs. */
  tenantId?: string;
  redirectUris?: Hcl;
  description?: Hcl;
  applicationType?: Hcl;
  /** null leaves the argument out (as after an import). @default 1 */
  secretVersion?: Hcl;
  grantTypes?: Hcl;
}

export function oidcApp(label: string, a: AppArgs, meta: Meta = {}): string {
  const uris = a.redirectUris ?? (a.tenantId ? [apaasUrlOf(a.tenantId)] : ['https://apaas.weworkpro.tencent-cloud.com/unused/']);
  return block(
    `resource "qianfan_yufu_oidc_app" "${label}"`,
    {
      name: a.name,
      description: a.description,
      application_type: a.applicationType,
      redirect_uris: uris,
      post_logout_redirect_uris: uris,
      grant_types: a.grantTypes ?? ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      client_secret_version: a.secretVersion === null ? undefined : (a.secretVersion ?? 1),
    },
    meta,
  );
}

export interface ConnectorArgs {
  tenantId: Hcl;
  corpKey: Hcl;
  /** The address of the Yufu app instance the connector signs in with, e.g. `qianfan_yufu_oidc_app.a[each.key]`. */
  app: string;
  /**
   * Bring your own secret, write-only (Terraform ≥ 1.11): the expression of the secret,
   * e.g. an ephemeral resource's attribute; the app's version is the rotation trigger.
   * @default none: the provider reads the app's secret itself
   */
  writeOnlySecret?: string;
}

/**
 * THE connector template. By default no secret passes through Terraform: the provider
 * reads the app's secret from Yufu by client id, and the app's `client_secret_version`
 * is the rotation trigger (docs/resources/apaas_hr_connector.md).
 */
export function hrConnector(label: string, c: ConnectorArgs, meta: Meta = {}): string {
  return block(
    `resource "qianfan_apaas_hr_connector" "${label}"`,
    {
      tenant_id: c.tenantId,
      corp_key: c.corpKey,
      well_known_url: expr(`${c.app}.well_known_url`),
      client_id: expr(`${c.app}.client_id`),
      ...(c.writeOnlySecret
        ? { client_secret_wo: expr(c.writeOnlySecret), client_secret_wo_version: expr(`${c.app}.client_secret_version`) }
        : { client_secret_version: expr(`${c.app}.client_secret_version`) }),
    },
    meta,
  );
}

export interface ScheduleArgs {
  tenantId: Hcl;
  cron?: Hcl;
  timeZone?: Hcl;
  mode?: Hcl;
  enabled?: Hcl;
  /**
   * The connector instance the schedule belongs to: a schedule needs its tenant's
   * connector to be created (docs/resources/apaas_sync_schedule.md); it survives the
   * connector's deletion, so a replaced connector needs nothing more.
   */
  connector?: string;
}

export function syncSchedule(label: string, s: ScheduleArgs, meta: Meta = {}): string {
  // A connector instance of count/for_each is named with its index; depends_on takes the resource.
  const dependsOn = s.connector ? [s.connector.replace(/\[.*\]$/, '')] : [];
  return block(
    `resource "qianfan_apaas_sync_schedule" "${label}"`,
    { tenant_id: s.tenantId, cron: s.cron ?? '0 2 * * *', time_zone: s.timeZone ?? 'Asia/Shanghai', mode: s.mode, enabled: s.enabled },
    { ...meta, dependsOn: [...dependsOn, ...(meta.dependsOn ?? [])] },
  );
}

export function oidcDiscovery(label: string, app: string, meta: Meta = {}): string {
  return block(`data "qianfan_oidc_discovery" "${label}"`, { well_known_url: expr(`${app}.well_known_url`) }, meta);
}

/** The sync status of a tenant, read after its schedule (as docs/data-sources/apaas_sync_status.md shows). */
export function syncStatus(label: string, tenantId: Hcl, meta: Meta = {}): string {
  return block(`data "qianfan_apaas_sync_status" "${label}"`, { tenant_id: tenantId }, meta);
}

/** Sync health as a warning, never a diff: a `check` block on the status data source. */
export function syncCheck(label: string): string {
  return (
    `check "sync_${label}" {\n  assert {\n    condition     = data.qianfan_apaas_sync_status.${label}.last_run_status != "failed"\n` +
    `    error_message = "lifecycle: the organisation sync of \${data.qianfan_apaas_sync_status.${label}.tenant_id} failed"\n  }\n}\n`
  );
}

export interface TenantDecl {
  tenantId: string;
  corpKey: string;
  appName: string;
  app?: Partial<AppArgs>;
  schedule?: Partial<ScheduleArgs>;
  /** Meta-arguments per object, e.g. { app: { lifecycle: 'create_before_destroy = true' } }. */
  meta?: { app?: Meta; connector?: Meta; schedule?: Meta; discovery?: Meta; status?: Meta };
  /** false: no schedule. */
  withSchedule?: boolean;
  /** false: no sync status data source and check. */
  withStatus?: boolean;
}

/**
 * One tenant as an HCL user declares it: the Yufu app, its discovery document, the
 * connector fed from the app, the schedule (tenant id taken from the connector, so it
 * follows the connector's dependencies), the sync status and its check. All share the label.
 */
export function tenantHcl(label: string, t: TenantDecl): string {
  const app = `qianfan_yufu_oidc_app.${label}`;
  const parts = [
    oidcApp(label, { name: t.appName, tenantId: t.tenantId, ...t.app }, t.meta?.app),
    oidcDiscovery(label, app, t.meta?.discovery),
    hrConnector(label, { tenantId: t.tenantId, corpKey: t.corpKey, app }, t.meta?.connector),
  ];
  const connector = `qianfan_apaas_hr_connector.${label}`;
  if (t.withSchedule !== false) {
    parts.push(syncSchedule(label, { tenantId: expr(`${connector}.tenant_id`), connector, ...t.schedule }, t.meta?.schedule));
  }
  const after = t.withSchedule !== false ? `qianfan_apaas_sync_schedule.${label}` : connector;
  if (t.withStatus !== false) parts.push(syncStatus(label, expr(`${connector}.tenant_id`), { ...t.meta?.status, dependsOn: [after] }), syncCheck(label));
  return parts.join('\n');
}

/**
 * Many tenants under one for_each (or count) over a local map/list: the shape platform
 * teams use. `each.value` carries tenant_id, corp_key and name.
 */
export function tenantsForEach(label: string, tenants: Record<string, { tenantId: string; corpKey: string; appName: string }>, meta: Meta = {}): string {
  const local: Record<string, Hcl> = {};
  for (const [key, t] of Object.entries(tenants)) local[key] = { tenant_id: t.tenantId, corp_key: t.corpKey, name: t.appName };
  const each = { ...meta, forEach: `local.${label}` };
  const app = `qianfan_yufu_oidc_app.${label}[each.key]`;
  return [
    `locals {\n  ${label} = ${render(local, '  ')}\n}\n`,
    oidcApp(label, { name: expr('each.value.name'), redirectUris: expr('["https://apaas.weworkpro.tencent-cloud.com/${each.value.tenant_id}/"]') }, each),
    oidcDiscovery(label, app, each),
    hrConnector(label, { tenantId: expr('each.value.tenant_id'), corpKey: expr('each.value.corp_key'), app }, each),
    syncSchedule(label, { tenantId: expr(`qianfan_apaas_hr_connector.${label}[each.key].tenant_id`), connector: `qianfan_apaas_hr_connector.${label}[each.key]` }, each),
    syncStatus(label, expr(`qianfan_apaas_sync_schedule.${label}[each.key].tenant_id`), each),
  ].join('\n');
}

export function tenantsCount(label: string, tenants: { tenantId: string; corpKey: string; appName: string }[]): string {
  const list: Hcl = tenants.map((t) => ({ tenant_id: t.tenantId, corp_key: t.corpKey, name: t.appName }));
  const meta = { count: `length(local.${label})` };
  const app = `qianfan_yufu_oidc_app.${label}[count.index]`;
  return [
    `locals {\n  ${label} = ${render(list, '  ')}\n}\n`,
    oidcApp(label, { name: expr(`local.${label}[count.index].name`), redirectUris: expr(`["https://apaas.weworkpro.tencent-cloud.com/\${local.${label}[count.index].tenant_id}/"]`) }, meta),
    oidcDiscovery(label, app, meta),
    hrConnector(label, { tenantId: expr(`local.${label}[count.index].tenant_id`), corpKey: expr(`local.${label}[count.index].corp_key`), app }, meta),
    syncSchedule(label, { tenantId: expr(`qianfan_apaas_hr_connector.${label}[count.index].tenant_id`), connector: `qianfan_apaas_hr_connector.${label}[count.index]` }, meta),
    syncStatus(label, expr(`qianfan_apaas_sync_schedule.${label}[count.index].tenant_id`), meta),
  ].join('\n');
}
