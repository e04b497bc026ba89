/**
 * qianfan_yufu_oidc_app — a Yufu (千帆玉符) custom application of type OpenID Connect.
 *
 * Every optional argument has the service's default, so state after create, after
 * import and after a read all carry the same values: no perpetual diff. Set-typed
 * URI and scope lists make ordering irrelevant. application_type is the one field
 * Yufu cannot change in place: changing it plans a replacement.
 *
 * The client secret is not an attribute: it never enters Terraform's state or plan.
 * The connector reads it from Yufu itself; HCL users who need it elsewhere open the
 * ephemeral resource qianfan_yufu_oidc_app_secret.
 *
 * Ownership (docs/api/ownership.md): the app is created under a creation key and
 * claimed with a token kept in the private state. Names are display names, so a
 * create_before_destroy replacement is simply a second app; an existing app with the
 * planned name is adopted only when it is provably an orphan of an interrupted apply
 * of this provider (unclaimed, with a creation key), never by name alone.
 */
import { randomUUID } from 'node:crypto';
import { isUnknown, valueEquals, type CtyValue } from '../../runtime/cty';
import { ProviderError } from '../../runtime/diagnostics';
import type { CallContext, ObjectValue, ResourceDefinition } from '../../runtime/interfaces';
import type { Schema } from '../../runtime/schema';
import { ServiceError } from '../clients/http';
import type { AppInput, YufuAdminClient, YufuApp } from '../clients/yufu';
import type { QianfanClients } from '../config';
import { claimantOf, finalClaim, importOwnership, isOrphan, newClaimant, recordOwnership } from '../ownership';
import { APPLICATION_TYPES, checkDescription, checkGrantTypes, checkName, checkRedirectUris, checkScopes, LIFETIME_LIMITS, NAME_MAX } from '../rules';
import { intRange, listRule, oneOf, stringRule } from '../validators';
import { attr, bool, num, number, str, strings } from '../values';

export const TYPE_NAME = 'qianfan_yufu_oidc_app';

const redirectRule = listRule('redirect_uris', (v) => checkRedirectUris(v, 1), 'Invalid redirect URI');
const logoutRule = listRule('post_logout_redirect_uris', (v) => checkRedirectUris(v, 0), 'Invalid post-logout redirect URI');

export const schema: Schema = {
  version: 1,
  block: {
    description:
      'A Yufu (千帆玉符) OpenID Connect application (应用管理 → 创建自定义应用 → OpenID Connect). Its `well_known_url` and `client_id` are what the aPaaS 腾讯 HR 助手 connector needs; the client secret never enters Terraform (the connector reads it from Yufu itself; elsewhere use the ephemeral resource `qianfan_yufu_oidc_app_secret`).',
    attributes: {
      id: attr.computed('string', 'The application id in Yufu (`app_…`). Use it with `terraform import`.'),
      name: attr.required('string', `Display name in the Yufu console, 1–${NAME_MAX} characters (two apps may share one).`, {
        validate: [stringRule('name', checkName, 'Invalid name')],
      }),
      description: attr.optional('string', 'Free text shown in the Yufu console, at most 256 characters.', {
        default: '',
        validate: [stringRule('description', checkDescription, 'Invalid description')],
      }),
      application_type: attr.optional('string', 'One of `web`, `native`, `spa`. Yufu cannot change it in place: changing it replaces the application (new client id and secret).', {
        default: 'web',
        forceNew: true,
        validate: [oneOf('application_type', APPLICATION_TYPES)],
      }),
      redirect_uris: attr.required(['set', 'string'], 'Allowed redirect URIs (1–20). https, or http for 127.0.0.1 only; Yufu rejects `localhost`. For aPaaS use `https://apaas.weworkpro.tencent-cloud.com/{aPaaS tenant id}/`.', {
        validate: [redirectRule],
      }),
      post_logout_redirect_uris: attr.optional(['set', 'string'], 'Allowed post-logout redirect URIs, same rules as `redirect_uris`.', {
        default: [],
        validate: [logoutRule],
      }),
      grant_types: attr.optional(['set', 'string'], 'Any of `authorization_code`, `refresh_token`, `client_credentials`.', {
        default: ['authorization_code'],
        validate: [listRule('grant_types', checkGrantTypes, 'Invalid grant types')],
      }),
      scopes: attr.optional(['set', 'string'], 'Scopes the application may request; must include `openid`. Any of `openid`, `profile`, `email`, `offline_access`, `phone`.', {
        default: ['openid', 'profile', 'email'],
        validate: [listRule('scopes', checkScopes, 'Invalid scopes')],
      }),
      require_pkce: attr.optional('bool', 'Require PKCE (S256) on the authorization-code flow.', { default: true }),
      access_token_lifetime: attr.optional('number', 'Access-token lifetime in seconds, 60–86400.', {
        default: number(7200),
        validate: [intRange('access_token_lifetime', ...LIFETIME_LIMITS.access_token_lifetime)],
      }),
      id_token_lifetime: attr.optional('number', 'ID-token lifetime in seconds, 60–86400.', {
        default: number(3600),
        validate: [intRange('id_token_lifetime', ...LIFETIME_LIMITS.id_token_lifetime)],
      }),
      refresh_token_lifetime: attr.optional('number', 'Refresh-token lifetime in seconds, 3600–31536000 (2592000 is 30 days).', {
        default: number(2_592_000),
        validate: [intRange('refresh_token_lifetime', ...LIFETIME_LIMITS.refresh_token_lifetime)],
      }),
      client_secret_version: attr.optional('number', 'A whole number; changing it from one number to another rotates the client secret (the old one stops working). Give the same value to the connector\'s `client_secret_version` and it sends the new secret to aPaaS in the same apply. Setting it where it was unset (e.g. after an import) does not rotate.', {
        validate: [intRange('client_secret_version', 0, Number.MAX_SAFE_INTEGER, 'a whole number')],
      }),
      client_id: attr.computed('string', 'The OIDC client id (`ai-` followed by 32 hex characters).'),
      issuer: attr.computed('string', 'The issuer, as the application\'s discovery document states it.'),
      well_known_url: attr.computed('string', 'The application\'s OpenID discovery URL (单点登录 → 常规配置 → Well-known URL).'),
    },
  },
};

function input(planned: ObjectValue): AppInput {
  return {
    name: str(planned.name)!,
    description: str(planned.description)!,
    application_type: str(planned.application_type)!,
    redirect_uris: strings(planned.redirect_uris)!,
    post_logout_redirect_uris: strings(planned.post_logout_redirect_uris)!,
    grant_types: strings(planned.grant_types)!,
    scopes: strings(planned.scopes)!,
    require_pkce: bool(planned.require_pkce)!,
    access_token_lifetime: num(planned.access_token_lifetime)!,
    id_token_lifetime: num(planned.id_token_lifetime)!,
    refresh_token_lifetime: num(planned.refresh_token_lifetime)!,
  };
}

/**
 * A version change from one number to another rotates. Setting it for the first time
 * (null → n, e.g. right after an import, where it cannot be read back) only records it:
 * importing an app must never rotate its secret.
 */
function rotates(before: CtyValue, after: CtyValue): boolean {
  return before !== null && after !== null && !isUnknown(after) && !valueEquals('number', before, after);
}

export function toState(app: YufuApp, secretVersion: CtyValue = null): ObjectValue {
  const sorted = (xs: string[]): CtyValue[] => [...new Set(xs)].sort();
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    application_type: app.application_type,
    redirect_uris: sorted(app.redirect_uris),
    post_logout_redirect_uris: sorted(app.post_logout_redirect_uris),
    grant_types: sorted(app.grant_types),
    scopes: sorted(app.scopes),
    require_pkce: app.require_pkce,
    access_token_lifetime: number(app.access_token_lifetime),
    id_token_lifetime: number(app.id_token_lifetime),
    refresh_token_lifetime: number(app.refresh_token_lifetime),
    client_secret_version: secretVersion,
    client_id: app.client_id,
    issuer: app.issuer,
    well_known_url: app.well_known_url,
  };
}

/** Only what differs is sent: an update never re-PUTs the whole object. */
function diff(before: AppInput, after: AppInput): Partial<AppInput> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof AppInput)[]) {
    if (key === 'application_type') continue;
    const a = before[key];
    const b = after[key];
    const same = Array.isArray(a) && Array.isArray(b) ? [...a].sort().join('\n') === [...b].sort().join('\n') : a === b;
    if (!same) patch[key] = b;
  }
  return patch as Partial<AppInput>;
}

/**
 * The create: an orphan with the planned name and type left by an interrupted apply is
 * adopted (claimed first, so of two racing applies one wins); otherwise a new app is
 * created under a creation key and claimed as the last step.
 */
async function createApp(ctx: CallContext<QianfanClients>, planned: ObjectValue): Promise<YufuApp> {
  const yufu = await ctx.client.yufu();
  const wanted = input(planned);
  const claimant = newClaimant();
  const orphans = (await yufu.findAppsByName(wanted.name, ctx.signal))
    .filter((a) => a.name === wanted.name && a.application_type === wanted.application_type && isOrphan(a))
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
  for (const orphan of orphans) {
    const claimed = await claimIfStillOrphan(yufu, orphan, claimant, ctx.signal);
    if (!claimed) continue;
    recordOwnership(ctx, claimant);
    const others = orphans.filter((o) => o.id !== orphan.id).map((o) => o.id);
    ctx.diagnostics.warning(
      'Adopted an application left by an interrupted apply',
      `"${wanted.name}" (${orphan.id}) was created by this provider at ${orphan.created_at} but never recorded in a state (the apply that created it was interrupted). It is now managed here.` +
        (others.length > 0 ? ` Other such applications with this name remain, unmanaged: ${others.join(', ')} — import or delete them.` : ''),
    );
    const patch = diff(input(toState(claimed)), wanted);
    return Object.keys(patch).length > 0 ? yufu.updateApp(orphan.id, patch, ctx.signal) : claimed;
  }
  const created = await yufu.createApp(wanted, { key: randomUUID(), secretVersion: num(planned.client_secret_version) }, ctx.signal);
  const claimed = await finalClaim(ctx, `application ${created.id}`, () => yufu.claimApp(created.id, { claimant, previousClaimant: null }));
  recordOwnership(ctx, claimant);
  return claimed;
}

/** The claim's compare-and-set decides: false when another apply took the orphan first. */
async function claimIfStillOrphan(yufu: YufuAdminClient, orphan: YufuApp, claimant: string, signal: AbortSignal): Promise<YufuApp | null> {
  try {
    return await yufu.claimApp(orphan.id, { claimant, previousClaimant: null }, signal);
  } catch (error) {
    if (error instanceof ServiceError && (error.status === 409 || error.status === 404)) return null;
    throw error;
  }
}

export const yufuOidcAppResource: ResourceDefinition<QianfanClients> = {
  typeName: TYPE_NAME,
  schema,

  upgradeState(fromVersion, raw) {
    // Version 0 kept the client secret as a computed attribute; version 1 never stores
    // it (the runtime drops attributes the schema no longer has).
    if (fromVersion === 0) delete raw.client_secret;
    return raw;
  },

  async read(ctx, state) {
    const app = await (await ctx.client.yufu()).getApp(str(state.id)!, ctx.signal);
    return app ? toState(app, state.client_secret_version ?? null) : null;
  },

  async create(ctx, planned) {
    return toState(await createApp(ctx, planned), planned.client_secret_version ?? null);
  },

  async update(ctx, prior, planned) {
    const patch = diff(input(prior), input(planned));
    const yufu = await ctx.client.yufu();
    const id = str(prior.id)!;
    const version = num(planned.client_secret_version);
    // Labelled with the new version, a rotation whose answer was lost is not repeated.
    if (rotates(prior.client_secret_version ?? null, planned.client_secret_version ?? null) && version !== null) {
      await yufu.rotateSecret(id, version, ctx.signal);
    }
    const app = Object.keys(patch).length > 0 ? await yufu.updateApp(id, patch, ctx.signal) : await yufu.getApp(id, ctx.signal);
    if (!app) throw new ProviderError('Application disappeared', `application ${id} was deleted in Yufu during the update; run apply again to re-create it`);
    recordOwnership(ctx, claimantOf(ctx));
    return toState(app, planned.client_secret_version ?? null);
  },

  async delete(ctx, prior) {
    const id = str(prior.id)!;
    const outcome = await (await ctx.client.yufu()).deleteApp(id, claimantOf(ctx), ctx.signal);
    if (outcome === 'not-ours') {
      ctx.diagnostics.warning(
        'Application left in place',
        `application ${id} ("${str(prior.name)}") is now claimed by another Terraform state, so this state only forgets it and does not delete it.`,
      );
    }
  },

  async importState(ctx, id) {
    const app = await (await ctx.client.yufu()).getApp(id.trim(), ctx.signal);
    if (!app) return null;
    importOwnership(ctx, `application ${app.id} ("${app.name}")`, app);
    // The version this provider labelled the secret with (null for an app made in the
    // console): a configuration that says the same plans no change after an import.
    return toState(app, app.client_secret_version === null ? null : number(app.client_secret_version));
  },
};
