/**
 * qianfan_apaas_hr_connector — aPaaS 用户管理 → 【腾讯 HR 助手】: Corp Key, Well-known
 * URL, Client ID and Client Secret; saving it initialises the tenant's user source
 * and runs the first organisation sync.
 *
 * The source of an initialised tenant cannot change (DESIGN.md §4). A plan that
 * would change it — a connector on a tenant initialised from Yufu or WeCom, or a
 * different Corp Key (another HR organisation) — fails at plan time with the reason;
 * it never plans a replacement that the service would refuse or that would mix two
 * directories.
 */
import { isUnknown } from '../../runtime/cty';
import { ProviderError } from '../../runtime/diagnostics';
import type { CallContext, ObjectValue, ResourceDefinition } from '../../runtime/interfaces';
import type { Schema } from '../../runtime/schema';
import type { ApaasClient, Connector, SyncRun, Tenant } from '../clients/apaas';
import type { QianfanClients } from '../config';
import { checkClientId, checkClientSecret, checkCorpKey, checkWellKnownUrl, parseDurationMs } from '../rules';
import { durationValidator, stringRule } from '../validators';
import { attr, bool, known, number, str } from '../values';

export const TYPE_NAME = 'qianfan_apaas_hr_connector';

const apaasModule = () => require('../clients/apaas') as typeof import('../clients/apaas');

export const schema: Schema = {
  version: 0,
  block: {
    description:
      'The aPaaS 用户管理 【腾讯 HR 助手】 connector of one tenant. Saving it initialises the tenant\'s user source to 腾讯 HR 助手 (permanently, as aPaaS does) and starts the organisation sync.',
    attributes: {
      id: attr.computed('string', 'The aPaaS tenant id (one connector per tenant). Use it with `terraform import`.'),
      tenant_id: attr.required('string', 'The aPaaS tenant id, as in `https://apaas.weworkpro.tencent-cloud.com/{tenant}/`. Changing it moves the connector to another tenant (the old tenant keeps its source and users).', {
        forceNew: true,
        validate: [stringRule('tenant_id', (v) => (/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(v) ? null : 'expected 1–64 letters, digits, "-" or "_"'), 'Invalid tenant id')],
      }),
      corp_key: attr.required('string', 'The E-HR Corp Key: the label in `ehrnew-{corpKey}.ihr.tencent-cloud.com` (use the `corp_key_from_url` function to read it off the E-HR admin URL). Cannot change once the tenant was initialised.', {
        validate: [stringRule('corp_key', checkCorpKey, 'Invalid Corp Key')],
      }),
      well_known_url: attr.required('string', 'The Yufu app\'s Well-known URL (https; http only for loopback).', {
        validate: [stringRule('well_known_url', checkWellKnownUrl, 'Invalid well-known URL')],
      }),
      client_id: attr.required('string', 'The Yufu app\'s client id.', {
        validate: [stringRule('client_id', checkClientId, 'Invalid client id')],
      }),
      client_secret: attr.optional('string', 'The Yufu app\'s client secret. Stored in state (sensitive). Prefer `client_secret_wo` on Terraform ≥ 1.11. Exactly one of the two is required.', {
        sensitive: true,
        validate: [(value, path, d) => {
          if (typeof value === 'string' && checkClientSecret(value)) d.error('Invalid client secret', `client_secret: ${checkClientSecret(value)}`, path);
        }],
      }),
      client_secret_wo: attr.optional('string', 'Write-only form of `client_secret` (Terraform ≥ 1.11): sent to aPaaS, never stored in state. Change `client_secret_wo_version` to send a new value.', {
        sensitive: true,
        writeOnly: true,
        validate: [(value, path, d) => {
          if (typeof value === 'string' && checkClientSecret(value)) d.error('Invalid client secret', `client_secret_wo: ${checkClientSecret(value)}`, path);
        }],
      }),
      client_secret_wo_version: attr.optional('number', 'Any number; changing it sends `client_secret_wo` again (rotation trigger).'),
      wait_for_initial_sync: attr.optional('bool', 'Wait on create until the first organisation sync finished, and fail if it failed. Default `true`.', { default: true }),
      initial_sync_timeout: attr.optional('string', 'How long to wait for the first sync, e.g. `10m`. Default `10m`.', {
        default: '10m',
        validate: [durationValidator('initial_sync_timeout')],
      }),
      status: attr.computed('string', 'The connector status reported by aPaaS.', { changesOnUpdate: true }),
      user_source: attr.computed('string', 'The tenant\'s user-data source: `hr_assistant` once the connector was saved.'),
      initialized_at: attr.computed('string', 'When the tenant\'s user data was initialised (RFC 3339).'),
      last_sync_status: attr.computed('string', 'Status of the latest sync run: `queued`, `running`, `succeeded` or `failed`.', { changesOnUpdate: true }),
      last_sync_finished_at: attr.computed('string', 'When the latest sync run finished (RFC 3339), or null.', { changesOnUpdate: true }),
      departments_synced: attr.computed('number', 'Departments in the tenant after the latest sync run.', { changesOnUpdate: true }),
      employees_synced: attr.computed('number', 'Active users in the tenant after the latest sync run.', { changesOnUpdate: true }),
    },
  },
  // Write-only attributes are stripped from state by the runtime.
};

function secretFrom(config: ObjectValue, planned: ObjectValue): string {
  const secret = str(config.client_secret_wo) ?? str(planned.client_secret) ?? str(config.client_secret);
  if (secret === null) {
    throw new ProviderError('Missing client secret', 'set client_secret, or client_secret_wo (Terraform ≥ 1.11)', ['client_secret']);
  }
  return secret;
}

function toState(base: ObjectValue, connector: Connector, run: SyncRun | null | undefined): ObjectValue {
  return {
    ...base,
    id: connector.tenant_id,
    tenant_id: connector.tenant_id,
    corp_key: connector.corp_key,
    well_known_url: connector.well_known_url,
    client_id: connector.client_id,
    status: connector.status,
    user_source: connector.user_source,
    initialized_at: connector.initialized_at,
    last_sync_status: run?.status ?? null,
    last_sync_finished_at: run?.finished_at ?? null,
    departments_synced: run ? number(run.counts.departments_total) : null,
    employees_synced: run ? number(run.counts.users_active) : null,
  };
}

function describeSource(tenant: Tenant): string {
  const { SOURCE_NAMES } = apaasModule();
  return tenant.user_source ? SOURCE_NAMES[tenant.user_source] : 'unset';
}

async function waitForRun(ctx: CallContext<QianfanClients>, apaas: ApaasClient, tenantId: string, runId: string, timeoutMs: number): Promise<SyncRun> {
  const deadline = Date.now() + timeoutMs;
  let delay = 200;
  for (;;) {
    const run = await apaas.getRun(tenantId, runId, ctx.signal);
    if (run.status === 'succeeded' || run.status === 'failed') return run;
    if (Date.now() + delay > deadline) {
      throw new ProviderError(
        'Initial organisation sync did not finish in time',
        `run ${runId} of tenant ${tenantId} is still ${run.status} after ${Math.round(timeoutMs / 1000)} s; raise initial_sync_timeout, or set wait_for_initial_sync = false`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2000);
  }
}

async function save(ctx: CallContext<QianfanClients>, planned: ObjectValue, config: ObjectValue, isCreate: boolean): Promise<ObjectValue> {
  const apaas = await ctx.client.apaas();
  const tenantId = str(planned.tenant_id)!;
  const connector = await apaas.putConnector(
    tenantId,
    {
      corp_key: str(planned.corp_key)!,
      well_known_url: str(planned.well_known_url)!,
      client_id: str(planned.client_id)!,
      client_secret: secretFrom(config, planned),
    },
    ctx.signal,
  );
  let run: SyncRun | null | undefined = connector.last_run;
  if (connector.initial_run_id && (bool(planned.wait_for_initial_sync) ?? true)) {
    run = await waitForRun(ctx, apaas, tenantId, connector.initial_run_id, parseDurationMs(str(planned.initial_sync_timeout) ?? '10m') ?? 600_000);
    if (run.status === 'failed') {
      ctx.diagnostics.error(
        isCreate ? 'The connector was saved, but the initial organisation sync failed' : 'The connector was saved, but its organisation sync failed',
        `run ${run.id}: ${run.error ?? 'no error message'}. The connector stays configured; fix the cause and run apply again, or start a sync in the aPaaS console.`,
      );
    }
  } else if (connector.initial_run_id) {
    run = await apaas.getRun(tenantId, connector.initial_run_id, ctx.signal);
  }
  return toState(planned, connector, run);
}

export const apaasHrConnectorResource: ResourceDefinition<QianfanClients> = {
  typeName: TYPE_NAME,
  schema,

  validate(config, diagnostics) {
    const plain = config.client_secret;
    const wo = config.client_secret_wo;
    const set = (v: typeof plain) => v !== null && v !== undefined;
    if (set(plain) && set(wo)) {
      diagnostics.error('Conflicting client secrets', 'set either client_secret or client_secret_wo, not both', ['client_secret_wo']);
    } else if (!set(plain) && !set(wo)) {
      diagnostics.error('Missing client secret', 'set client_secret, or client_secret_wo (Terraform ≥ 1.11) together with client_secret_wo_version', ['client_secret']);
    }
    if (set(wo) && !set(config.client_secret_wo_version) && !isUnknown(wo)) {
      diagnostics.warning('No rotation trigger', 'client_secret_wo is never compared with the service; set client_secret_wo_version and change it to rotate the secret', ['client_secret_wo_version']);
    }
  },

  async modifyPlan(ctx, { prior, planned }) {
    const tenantId = planned.tenant_id;
    if (!known(tenantId) || !ctx.client) return;
    // Only a new connector or a new Corp Key can run into the source rules.
    if (prior !== null && prior.corp_key === planned.corp_key && prior.tenant_id === planned.tenant_id) return;
    const apaas = await ctx.client.apaas();
    const tenant = await apaas.getTenant(tenantId as string, ctx.signal);
    if (tenant === null) {
      ctx.diagnostics.error('Unknown aPaaS tenant', `tenant_id: no aPaaS tenant "${tenantId}" exists for these API credentials`, ['tenant_id']);
      return;
    }
    const locked = tenant.user_source !== null && tenant.user_source !== 'hr_assistant' && !(tenant.user_source === 'self_registration' && tenant.source_switches_left > 0);
    if (locked) {
      ctx.diagnostics.error(
        'The tenant\'s user source cannot be changed',
        `aPaaS tenant "${tenant.tenant_id}" initialised its user data from ${describeSource(tenant)} on ${tenant.initialized_at ?? 'an unknown date'}. ` +
          'Once user data comes from 企业微信, 千帆玉符 or 腾讯 HR 助手, aPaaS does not allow switching to another source — not through the API and not in the console. ' +
          'Nothing was changed. Remove this connector from the configuration, or declare it for a tenant whose source is unset.',
        ['tenant_id'],
      );
      return;
    }
    const priorCorpKey = prior ? prior.corp_key : null;
    const corpKeyChanged = known(planned.corp_key) && priorCorpKey !== null && priorCorpKey !== planned.corp_key;
    if (corpKeyChanged && tenant.user_source === 'hr_assistant') {
      ctx.diagnostics.error(
        'The tenant\'s HR organisation cannot be changed',
        `aPaaS tenant "${tenant.tenant_id}" was initialised from the 腾讯 HR 助手 organisation "${String(priorCorpKey)}" on ${tenant.initialized_at ?? 'an unknown date'}; ` +
          `switching it to "${String(planned.corp_key)}" would mix two directories, and aPaaS refuses it. Nothing was changed. Put corp_key back to "${String(priorCorpKey)}".`,
        ['corp_key'],
      );
    }
  },

  async read(ctx, state) {
    const apaas = await ctx.client.apaas();
    const tenantId = str(state.tenant_id) ?? str(state.id)!;
    const connector = await apaas.getConnector(tenantId, ctx.signal);
    if (!connector) return null;
    const next = toState(state, connector, connector.last_run);
    // The secret is never returned; its hash tells whether someone changed it elsewhere.
    const known = str(state.client_secret);
    if (known !== null && apaasModule().secretSha256(known) !== connector.client_secret_sha256) next.client_secret = null;
    return next;
  },

  async create(ctx, planned, config) {
    return save(ctx, planned, config, true);
  },

  async update(ctx, _prior, planned, config) {
    return save(ctx, planned, config, false);
  },

  async delete(ctx, prior) {
    const apaas = await ctx.client.apaas();
    const result = await apaas.deleteConnector(str(prior.tenant_id)!, ctx.signal);
    if (result && result.retained.length > 0) {
      ctx.diagnostics.warning(
        'Some of the tenant\'s setup cannot be removed',
        `The connector of tenant "${str(prior.tenant_id)}" was removed and its syncs stopped. aPaaS keeps ${result.retained.join(', ')}: ` +
          `the user source stays ${result.user_source ?? 'as it was'} (it cannot be reset), and synced users and departments remain.`,
      );
    }
  },

  async importState(ctx, id) {
    const tenantId = id.trim();
    const apaas = await ctx.client.apaas();
    const connector = await apaas.getConnector(tenantId, ctx.signal);
    if (!connector) return null;
    const base: ObjectValue = {
      client_secret: null,
      client_secret_wo: null,
      client_secret_wo_version: null,
      wait_for_initial_sync: true,
      initial_sync_timeout: '10m',
    };
    return toState(base, connector, connector.last_run);
  },
};
