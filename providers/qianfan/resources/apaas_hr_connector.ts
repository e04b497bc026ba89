/**
 * qianfan_apaas_hr_connector — aPaaS 用户管理 → 【腾讯 HR 助手】: Corp Key, Well-known
 * URL, Client ID and Client Secret; saving it initialises the tenant's user source
 * and runs the first organisation sync.
 *
 * The secret, by default, never passes through Terraform: the provider reads the Yufu
 * app's current secret (by client id) from the Yufu admin API and writes it to aPaaS in
 * the same process. Drift is found by comparing the SHA-256 aPaaS reports with the
 * app's secret (client_secret_in_sync), never by storing the value. Users whose secret
 * does not come from a Yufu app this provider can read bring their own, as
 * `client_secret` (kept in state) or `client_secret_wo` (write-only).
 *
 * The source of an initialised tenant cannot change (docs/api/apaas-admin.md §2). A
 * plan that would change it fails at plan time with the reason; it never plans a
 * replacement that the service would refuse or that would mix two directories.
 */
import { isUnknown, valueEquals } from '../../runtime/cty';
import { ProviderError } from '../../runtime/diagnostics';
import type { CallContext, ObjectValue, PlanContext, ResourceDefinition } from '../../runtime/interfaces';
import type { Schema } from '../../runtime/schema';
import type { ApaasClient, Connector, ConnectorInput, SyncRun, Tenant } from '../clients/apaas';
import type { QianfanClients } from '../config';
import { claimantOf, importOwnership, recordOwnership } from '../ownership';
import { checkClientId, checkClientSecret, checkCorpKey, checkTenantId, checkWellKnownUrl, parseDurationMs } from '../rules';
import { createSingleton } from '../singleton';
import { durationValidator, intRange, stringRule } from '../validators';
import { attr, bool, known, number, schemaDefaults, str } from '../values';

export const TYPE_NAME = 'qianfan_apaas_hr_connector';

const apaasModule = () => require('../clients/apaas') as typeof import('../clients/apaas');

/** Where the secret the connector sends comes from. */
export type SecretSource = 'yufu_app' | 'client_secret' | 'client_secret_wo';

const secretRule = (field: string) =>
  stringRule(field, checkClientSecret, 'Invalid client secret', true);

export const schema: Schema = {
  version: 1,
  block: {
    description:
      'The aPaaS 用户管理 【腾讯 HR 助手】 connector of one tenant. Saving it initialises the tenant\'s user source to 腾讯 HR 助手 (permanently, as aPaaS does) and starts the organisation sync. By default the provider sends the Yufu app\'s client secret itself (read by `client_id` from the Yufu admin API): the secret never enters Terraform\'s state or plan.',
    attributes: {
      id: attr.computed('string', 'The aPaaS tenant id (one connector per tenant). Use it with `terraform import`.'),
      tenant_id: attr.required('string', 'The aPaaS tenant id, as in `https://apaas.weworkpro.tencent-cloud.com/{tenant}/`. Changing it moves the connector to another tenant (the old tenant keeps its source and users).', {
        forceNew: true,
        validate: [stringRule('tenant_id', checkTenantId, 'Invalid tenant id')],
      }),
      corp_key: attr.required('string', 'The E-HR Corp Key: the label in `ehrnew-{corpKey}.ihr.tencent-cloud.com` (use the `corp_key_from_url` function to read it off the E-HR admin URL). Cannot change once the tenant was initialised.', {
        validate: [stringRule('corp_key', checkCorpKey, 'Invalid Corp Key')],
      }),
      well_known_url: attr.required('string', 'The Yufu app\'s Well-known URL (https; http only for loopback).', {
        validate: [stringRule('well_known_url', checkWellKnownUrl, 'Invalid well-known URL')],
      }),
      client_id: attr.required('string', 'The Yufu app\'s client id. Unless `client_secret` or `client_secret_wo` is set, the provider reads this app\'s secret from Yufu and sends it to aPaaS.', {
        validate: [stringRule('client_id', checkClientId, 'Invalid client id')],
      }),
      client_secret_version: attr.optional('number', 'Rotation trigger: set it to the Yufu app\'s `client_secret_version`; when it changes, the provider sends the app\'s new secret to aPaaS in the same apply.', {
        validate: [intRange('client_secret_version', 0, Number.MAX_SAFE_INTEGER, 'a whole number')],
      }),
      client_secret: attr.optional('string', 'Bring your own secret, stored in state (sensitive): only for a secret that does not come from a Yufu app this provider can read. Prefer leaving it unset (the provider reads the app\'s secret itself) or `client_secret_wo`.', {
        sensitive: true,
        validate: [secretRule('client_secret')],
      }),
      client_secret_wo: attr.optional('string', 'Bring your own secret, write-only (Terraform ≥ 1.11): sent to aPaaS, never stored in state. Change `client_secret_wo_version` to send a new value. Drift of a write-only secret cannot be detected.', {
        sensitive: true,
        writeOnly: true,
        validate: [secretRule('client_secret_wo')],
      }),
      client_secret_wo_version: attr.optional('number', 'Any number; changing it sends `client_secret_wo` again.'),
      client_secret_in_sync: attr.computed('bool', 'Whether aPaaS holds the secret it should (compared by the SHA-256 aPaaS reports, never by value): the Yufu app\'s current secret, or `client_secret`. False after someone changed it in the console; the next apply repairs it. Null with `client_secret_wo`, which cannot be compared.'),
      wait_for_initial_sync: attr.optional('bool', 'Wait on create until the first organisation sync finished, and fail if it failed.', { default: true }),
      initial_sync_timeout: attr.optional('string', 'How long to wait for the first sync, e.g. `10m`.', {
        default: '10m',
        validate: [durationValidator('initial_sync_timeout')],
      }),
      created_at: attr.computed('string', 'When this connector was created (RFC 3339); a replaced connector gets a new one.'),
      user_source: attr.computed('string', 'The tenant\'s user-data source: `hr_assistant` once the connector was saved.'),
      initialized_at: attr.computed('string', 'When the tenant\'s user data was initialised (RFC 3339).'),
    },
  },
  // Write-only attributes are stripped from state by the runtime.
};

const set = (v: unknown) => v !== null && v !== undefined;

/** The source the configuration asks for (unknown counts as set: it will be a value). */
export function configuredSource(config: ObjectValue): SecretSource {
  if (set(config.client_secret)) return 'client_secret';
  if (set(config.client_secret_wo)) return 'client_secret_wo';
  return 'yufu_app';
}

/** The source a stored object was saved from: its private data, else what its state says. */
function storedSource(ctx: CallContext<QianfanClients>, state: ObjectValue): SecretSource {
  return recordedSource(ctx) ?? (set(state.client_secret) ? 'client_secret' : 'yufu_app');
}

/** What the private data says; null for a 0.1.0 state (upgraded) or an imported one. */
function recordedSource(ctx: CallContext<QianfanClients>): SecretSource | null {
  const recorded = ctx.private?.secret;
  return recorded === 'yufu_app' || recorded === 'client_secret' || recorded === 'client_secret_wo' ? recorded : null;
}

/** The secret to send: the user's own, or the Yufu app's current one read from Yufu. */
async function secretToSend(ctx: CallContext<QianfanClients>, source: SecretSource, planned: ObjectValue, config: ObjectValue): Promise<string> {
  if (source === 'client_secret') return str(planned.client_secret)!;
  if (source === 'client_secret_wo') {
    const secret = str(config.client_secret_wo);
    if (secret === null) throw new ProviderError('Missing client secret', 'client_secret_wo: the write-only value did not reach the provider', ['client_secret_wo']);
    return secret;
  }
  const clientId = str(planned.client_id)!;
  const [app] = await (await ctx.client.yufu()).appsByClientId([clientId], ctx.signal);
  if (!app) {
    throw new ProviderError(
      'No Yufu application with this client id',
      `client_id: the Yufu service account sees no application with client id "${clientId}", so the provider cannot read its secret. Check that client_id belongs to an app of this Yufu tenant, or bring your own secret with client_secret_wo.`,
      ['client_id'],
    );
  }
  return app.client_secret;
}

function toState(base: ObjectValue, connector: Connector, inSync: boolean | null): ObjectValue {
  return {
    ...base,
    id: connector.tenant_id,
    tenant_id: connector.tenant_id,
    corp_key: connector.corp_key,
    well_known_url: connector.well_known_url,
    client_id: connector.client_id,
    client_secret_in_sync: inSync,
    created_at: connector.created_at,
    user_source: connector.user_source,
    initialized_at: connector.initialized_at,
  };
}

function describeSource(tenant: Tenant): string {
  const { SOURCE_NAMES } = apaasModule();
  return tenant.user_source ? SOURCE_NAMES[tenant.user_source] : 'unset';
}

/** The run once it finished; null when Terraform asked to stop first (the sync goes on without us). */
async function waitForRun(ctx: CallContext<QianfanClients>, apaas: ApaasClient, tenantId: string, runId: string, timeoutMs: number): Promise<SyncRun | null> {
  const deadline = Date.now() + timeoutMs;
  let delay = 200;
  for (;;) {
    const run = await apaas.getRun(tenantId, runId, ctx.signal);
    if (run.status === 'succeeded' || run.status === 'failed') return run;
    if (ctx.signal.aborted) return null;
    if (Date.now() + delay > deadline) {
      throw new ProviderError(
        'Initial organisation sync did not finish in time',
        `run ${runId} of tenant ${tenantId} is still ${run.status} after ${Math.round(timeoutMs / 1000)} s; raise initial_sync_timeout, or set wait_for_initial_sync = false`,
      );
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, delay);
      ctx.signal.addEventListener('abort', done, { once: true });
    });
    delay = Math.min(delay * 2, 2000);
  }
}

/** After a save that queued the initial sync: wait for it when asked to. */
async function awaitInitialSync(ctx: CallContext<QianfanClients>, apaas: ApaasClient, planned: ObjectValue, connector: Connector, isCreate: boolean): Promise<void> {
  if (!connector.initial_run_id || !(bool(planned.wait_for_initial_sync) ?? true)) return;
  const timeout = parseDurationMs(str(planned.initial_sync_timeout)!)!;
  const run = await waitForRun(ctx, apaas, connector.tenant_id, connector.initial_run_id, timeout);
  if (run === null) {
    // A graceful stop: the connector is saved, so it is recorded; only the wait ends.
    ctx.diagnostics.warning('Stopped waiting for the organisation sync', `run ${connector.initial_run_id} of tenant ${connector.tenant_id} goes on in aPaaS; the connector is saved and recorded.`);
    return;
  }
  if (run.status === 'failed') {
    ctx.diagnostics.error(
      isCreate ? 'The connector was saved, but the initial organisation sync failed' : 'The connector was saved, but its organisation sync failed',
      `run ${run.id}: ${run.error ?? 'no error message'}. The connector stays configured; fix the cause and run apply again, or start a sync in the aPaaS console.`,
    );
  }
}

async function connectorInput(ctx: CallContext<QianfanClients>, planned: ObjectValue, config: ObjectValue): Promise<ConnectorInput> {
  return {
    corp_key: str(planned.corp_key)!,
    well_known_url: str(planned.well_known_url)!,
    client_id: str(planned.client_id)!,
    client_secret: await secretToSend(ctx, configuredSource(config), planned, config),
  };
}

/** Whether aPaaS holds what it should; null when that cannot be known (write-only). */
async function secretInSync(ctx: CallContext<QianfanClients>, source: SecretSource, state: ObjectValue, connector: Connector): Promise<boolean | null> {
  const { secretSha256 } = apaasModule();
  if (source === 'client_secret_wo') return null;
  if (source === 'client_secret') return str(state.client_secret) !== null && secretSha256(str(state.client_secret)!) === connector.client_secret_sha256;
  const [app] = await (await ctx.client.yufu()).appsByClientId([connector.client_id], ctx.signal);
  return app !== undefined && secretSha256(app.client_secret) === connector.client_secret_sha256;
}

/** The label of the current secret of the app with this client id; null when unknown (e.g. no Yufu access: a bring-your-own-secret setup). */
async function appSecretLabel(ctx: CallContext<QianfanClients>, clientId: string): Promise<number | null> {
  try {
    const [app] = await (await ctx.client.yufu()).appsByClientId([clientId], ctx.signal);
    return app?.client_secret_version ?? null;
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return null;
  }
}

/** What makes an update send the connector again (anything else is only recorded). */
function needsSave(prior: ObjectValue, planned: ObjectValue, priorSource: SecretSource, source: SecretSource): boolean {
  const changed = (name: string, type: 'string' | 'number') => !valueEquals(type, prior[name] ?? null, planned[name] ?? null);
  const rotated = prior.client_secret_version !== null && changed('client_secret_version', 'number');
  return (
    priorSource !== source ||
    prior.client_secret_in_sync === false ||
    rotated ||
    changed('corp_key', 'string') ||
    changed('well_known_url', 'string') ||
    changed('client_id', 'string') ||
    changed('client_secret', 'string') ||
    changed('client_secret_wo_version', 'number')
  );
}

/** The plan-time source rules (docs/api/apaas-admin.md §2): refused before anything is written. */
async function checkSourceRules(ctx: PlanContext<QianfanClients>, prior: ObjectValue | null, planned: ObjectValue): Promise<void> {
  const tenantId = planned.tenant_id;
  if (!known(tenantId)) return;
  // Only a new connector or a new Corp Key can run into the source rules.
  if (prior !== null && prior.corp_key === planned.corp_key && prior.tenant_id === planned.tenant_id) return;
  if (!ctx.client) {
    ctx.diagnostics.warning(
      'User-source rules not checked yet',
      `the provider configuration is not known until apply, so tenant "${String(tenantId)}" could not be checked for a locked user source now; aPaaS enforces the rule when the connector is saved.`,
      ['tenant_id'],
    );
    return;
  }
  const tenant = await (await ctx.client.apaas()).getTenant(tenantId as string, ctx.signal);
  if (tenant === null) {
    ctx.diagnostics.error('Unknown aPaaS tenant', `tenant_id: no aPaaS tenant "${String(tenantId)}" exists for these API credentials`, ['tenant_id']);
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
  // The prior Corp Key only speaks for the prior tenant: a move to another tenant is checked by aPaaS.
  const priorCorpKey = prior && prior.tenant_id === planned.tenant_id ? prior.corp_key : null;
  const corpKeyChanged = known(planned.corp_key) && priorCorpKey !== null && priorCorpKey !== planned.corp_key;
  if (corpKeyChanged && tenant.user_source === 'hr_assistant') {
    ctx.diagnostics.error(
      'The tenant\'s HR organisation cannot be changed',
      `aPaaS tenant "${tenant.tenant_id}" was initialised from the 腾讯 HR 助手 organisation "${String(priorCorpKey)}" on ${tenant.initialized_at ?? 'an unknown date'}; ` +
        `switching it to "${String(planned.corp_key)}" would mix two directories, and aPaaS refuses it. Nothing was changed. Put corp_key back to "${String(priorCorpKey)}".`,
      ['corp_key'],
    );
  }
}

export const apaasHrConnectorResource: ResourceDefinition<QianfanClients> = {
  typeName: TYPE_NAME,
  schema,

  upgradeState(fromVersion, raw) {
    if (fromVersion === 0) {
      // 0.1.0 kept a copy of the secret in state (QianfanTenant's default): dropped, the
      // provider now reads it from the Yufu app. Its write-only form kept the rotation
      // trigger in client_secret_wo_version, which is now client_secret_version. The
      // sync figures moved to the qianfan_apaas_sync_status data source.
      raw.client_secret = null;
      if (raw.client_secret_wo_version !== null && raw.client_secret_wo_version !== undefined && raw.client_secret_version === undefined) {
        raw.client_secret_version = raw.client_secret_wo_version;
        raw.client_secret_wo_version = null;
      }
    }
    return raw;
  },

  validate(config, diagnostics) {
    if (set(config.client_secret) && set(config.client_secret_wo)) {
      diagnostics.error('Conflicting client secrets', 'set client_secret or client_secret_wo (or neither, to let the provider read the Yufu app\'s secret), not both', ['client_secret_wo']);
    }
    if (set(config.client_secret_wo) && !set(config.client_secret_wo_version) && !isUnknown(config.client_secret_wo)) {
      diagnostics.warning('No rotation trigger', 'client_secret_wo is never compared with the service; set client_secret_wo_version and change it to send a new secret', ['client_secret_wo_version']);
    }
  },

  async modifyPlan(ctx, { prior, config, planned }) {
    // After an apply aPaaS holds what the configuration says, when that can be known.
    planned.client_secret_in_sync = configuredSource(config) === 'client_secret_wo' ? null : true;
    await checkSourceRules(ctx, prior, planned);
  },

  async read(ctx, state) {
    const apaas = await ctx.client.apaas();
    const tenantId = str(state.tenant_id) ?? str(state.id)!;
    const connector = await apaas.getConnector(tenantId, ctx.signal);
    if (!connector) return null;
    let inSync: boolean | null;
    try {
      inSync = await secretInSync(ctx, storedSource(ctx, state), state, connector);
    } catch (error) {
      // A 0.1.0 connector that brought its own secret, on a provider without Yufu: the
      // source is only guessed, so not knowing must not fail the refresh (the next apply
      // records the real source).
      if (!(error instanceof ProviderError) || recordedSource(ctx) !== null) throw error;
      inSync = null;
    }
    return toState(state, connector, inSync);
  },

  async create(ctx, planned, config) {
    const apaas = await ctx.client.apaas();
    const tenantId = str(planned.tenant_id)!;
    const body = await connectorInput(ctx, planned, config);
    const saved = await createSingleton<Connector>(ctx, {
      what: `The HR connector of tenant "${tenantId}"`,
      tenantId,
      create: (key) => apaas.putConnector(tenantId, body, ctx.signal, key),
      get: () => apaas.getConnector(tenantId, ctx.signal),
      save: async () => (await apaas.putConnector(tenantId, body, ctx.signal))!,
      claim: (request, options) => apaas.claimConnector(tenantId, request, options?.final ? undefined : ctx.signal),
      afterSave: (connector) => awaitInitialSync(ctx, apaas, planned, connector, true),
      extra: { secret: configuredSource(config) },
    });
    return toState(planned, saved, configuredSource(config) === 'client_secret_wo' ? null : true);
  },

  async update(ctx, prior, planned, config) {
    const source = configuredSource(config);
    const priorSource = storedSource(ctx, prior);
    recordOwnership(ctx, claimantOf(ctx), { secret: source });
    const inSync = source === 'client_secret_wo' ? null : true;
    if (!needsSave(prior, planned, priorSource, source)) {
      // e.g. client_secret_version set where it was unset: only recorded, nothing sent.
      return { ...planned, client_secret_in_sync: inSync };
    }
    const apaas = await ctx.client.apaas();
    const tenantId = str(planned.tenant_id)!;
    const connector = (await apaas.putConnector(tenantId, await connectorInput(ctx, planned, config), ctx.signal))!;
    // aPaaS queues a new initial run only for a new Corp Key, Well-known URL or client id
    // (apaas-admin.md §8); otherwise initial_run_id still names an old run, maybe failed long ago.
    const queuedRun = ['corp_key', 'well_known_url', 'client_id'].some((name) => !valueEquals('string', prior[name] ?? null, planned[name] ?? null));
    if (queuedRun) await awaitInitialSync(ctx, apaas, planned, connector, false);
    return toState(planned, connector, inSync);
  },

  async delete(ctx, prior) {
    const apaas = await ctx.client.apaas();
    const tenantId = str(prior.tenant_id)!;
    const result = await apaas.deleteConnector(tenantId, claimantOf(ctx), ctx.signal);
    if (result === 'not-ours') {
      ctx.diagnostics.warning(
        'Connector left in place',
        `the HR connector of tenant "${tenantId}" is now held by another owner (for example this resource's own replacement, or another Terraform state), so it was not deleted.`,
      );
    } else if (result !== 'gone' && result.retained.length > 0) {
      ctx.diagnostics.warning(
        'Some of the tenant\'s setup cannot be removed',
        `The connector of tenant "${tenantId}" was removed and its syncs stopped. aPaaS keeps ${result.retained.join(', ')}: ` +
          `the user source stays ${result.user_source ?? 'as it was'} (it cannot be reset), and synced users and departments remain.`,
      );
    }
  },

  async importState(ctx, id) {
    const tenantId = id.trim();
    const apaas = await ctx.client.apaas();
    const connector = await apaas.getConnector(tenantId, ctx.signal);
    if (!connector) return null;
    importOwnership(ctx, `the HR connector of tenant "${connector.tenant_id}"`, connector, { secret: 'yufu_app' });
    // The rotation trigger follows the app's: the version its current secret was labelled
    // with, so that the configuration QianfanTenant writes plans no change after an import.
    const version = await appSecretLabel(ctx, connector.client_id);
    // What the connector cannot tell (how to wait for a sync) is the schema's default.
    const base: ObjectValue = {
      ...schemaDefaults(schema.block),
      client_secret_version: version === null ? null : number(version),
      client_secret: null,
      client_secret_wo: null,
      client_secret_wo_version: null,
    };
    return toState(base, connector, null);
  },
};
