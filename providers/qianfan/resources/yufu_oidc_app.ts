/**
 * qianfan_yufu_oidc_app — a Yufu (千帆玉符) custom application of type OpenID Connect.
 *
 * Every optional argument has the service's default, so state after create, after
 * import and after a read all carry the same values: no perpetual diff. Set-typed
 * URI and scope lists make ordering irrelevant. application_type is the one field
 * Yufu cannot change in place: changing it plans a replacement.
 */
import { isUnknown, unknown, valueEquals, type CtyValue } from '../../runtime/cty';
import type { ObjectValue, ResourceDefinition } from '../../runtime/interfaces';
import type { Schema } from '../../runtime/schema';
import { ProviderError } from '../../runtime/diagnostics';
import { ServiceError } from '../clients/http';
import type { AppInput, YufuApp } from '../clients/yufu';
import type { QianfanClients } from '../config';
import {
  APPLICATION_TYPES,
  checkDescription,
  checkName,
  checkRedirectUri,
  GRANT_TYPES,
  LIFETIME_LIMITS,
  REDIRECT_URIS_MAX,
  SCOPES,
} from '../rules';
import { intRange, oneOf, sizeRange, stringRule } from '../validators';
import { attr, bool, num, number, str, strings } from '../values';

export const TYPE_NAME = 'qianfan_yufu_oidc_app';

const redirectRule = stringRule('redirect_uris', checkRedirectUri, 'Invalid redirect URI');
const logoutRule = stringRule('post_logout_redirect_uris', checkRedirectUri, 'Invalid post-logout redirect URI');

export const schema: Schema = {
  version: 0,
  block: {
    description:
      'A Yufu (千帆玉符) OpenID Connect application (应用管理 → 创建自定义应用 → OpenID Connect). Its `well_known_url`, `client_id` and `client_secret` are what the aPaaS 腾讯 HR 助手 connector needs.',
    attributes: {
      id: attr.computed('string', 'The application id in Yufu (`app_…`). Use it with `terraform import`.'),
      name: attr.required('string', 'Display name, unique within the tenant, 1–64 characters.', {
        validate: [stringRule('name', checkName, 'Invalid name')],
      }),
      description: attr.optional('string', 'Free text shown in the Yufu console, at most 256 characters. Default `""`.', {
        default: '',
        validate: [stringRule('description', checkDescription, 'Invalid description')],
      }),
      application_type: attr.optional('string', 'One of `web`, `native`, `spa`. Yufu cannot change it in place: changing it replaces the application (new client id and secret). Default `web`.', {
        default: 'web',
        forceNew: true,
        validate: [oneOf('application_type', APPLICATION_TYPES)],
      }),
      redirect_uris: attr.required(['set', 'string'], 'Allowed redirect URIs (1–20). https, or http for 127.0.0.1 only; Yufu rejects `localhost`. For aPaaS use `https://apaas.weworkpro.tencent-cloud.com/{aPaaS tenant id}/`.', {
        validate: [redirectRule, sizeRange('redirect_uris', 1, REDIRECT_URIS_MAX)],
      }),
      post_logout_redirect_uris: attr.optional(['set', 'string'], 'Allowed post-logout redirect URIs, same rules as `redirect_uris`. Default none.', {
        default: [],
        validate: [logoutRule, sizeRange('post_logout_redirect_uris', 0, REDIRECT_URIS_MAX)],
      }),
      grant_types: attr.optional(['set', 'string'], 'Any of `authorization_code`, `refresh_token`, `client_credentials`. Default `["authorization_code"]`.', {
        default: ['authorization_code'],
        validate: [oneOf('grant_types', GRANT_TYPES), sizeRange('grant_types', 1, GRANT_TYPES.length)],
      }),
      scopes: attr.optional(['set', 'string'], 'Scopes the application may request; must include `openid`. Any of `openid`, `profile`, `email`, `offline_access`, `phone`. Default `["openid","profile","email"]`.', {
        default: ['openid', 'profile', 'email'],
        validate: [
          oneOf('scopes', SCOPES),
          (value, path, d) => {
            if (Array.isArray(value) && value.every((v) => typeof v === 'string') && !value.includes('openid')) {
              d.error('Invalid scopes', `scopes: expected the set to include "openid", got ${JSON.stringify(value)}`, path);
            }
          },
        ],
      }),
      require_pkce: attr.optional('bool', 'Require PKCE (S256) on the authorization-code flow. Default `true`.', { default: true }),
      access_token_lifetime: attr.optional('number', 'Access-token lifetime in seconds, 60–86400. Default `7200`.', {
        default: number(7200),
        validate: [intRange('access_token_lifetime', ...LIFETIME_LIMITS.access_token_lifetime)],
      }),
      id_token_lifetime: attr.optional('number', 'ID-token lifetime in seconds, 60–86400. Default `3600`.', {
        default: number(3600),
        validate: [intRange('id_token_lifetime', ...LIFETIME_LIMITS.id_token_lifetime)],
      }),
      refresh_token_lifetime: attr.optional('number', 'Refresh-token lifetime in seconds, 3600–31536000. Default `2592000` (30 days).', {
        default: number(2_592_000),
        validate: [intRange('refresh_token_lifetime', ...LIFETIME_LIMITS.refresh_token_lifetime)],
      }),
      client_secret_version: attr.optional('number', 'Any number; changing it from one number to another rotates the client secret (the old one stops working), and resources that use `client_secret` follow in the same apply. Setting it where it was unset (e.g. after an import) does not rotate.'),
      client_id: attr.computed('string', 'The OIDC client id (`ai-` followed by 32 hex characters).'),
      client_secret: attr.computed('string', 'The OIDC client secret. Sensitive: hidden in plan output, but stored in state — protect the state backend.', {
        sensitive: true,
      }),
      issuer: attr.computed('string', 'The issuer, as the application\'s discovery document states it.'),
      well_known_url: attr.computed('string', 'The application\'s OpenID discovery URL (单点登录 → 常规配置 → Well-known URL).'),
    },
  },
};

function input(planned: ObjectValue): AppInput {
  return {
    name: str(planned.name)!,
    description: str(planned.description) ?? '',
    application_type: str(planned.application_type) ?? 'web',
    redirect_uris: strings(planned.redirect_uris) ?? [],
    post_logout_redirect_uris: strings(planned.post_logout_redirect_uris) ?? [],
    grant_types: strings(planned.grant_types) ?? ['authorization_code'],
    scopes: strings(planned.scopes) ?? ['openid', 'profile', 'email'],
    require_pkce: bool(planned.require_pkce) ?? true,
    access_token_lifetime: num(planned.access_token_lifetime) ?? 7200,
    id_token_lifetime: num(planned.id_token_lifetime) ?? 3600,
    refresh_token_lifetime: num(planned.refresh_token_lifetime) ?? 2_592_000,
  };
}

/**
 * A version change from one number to another rotates. Setting it for the first time
 * (null → n, e.g. right after an import, where it cannot be read back) only records it:
 * importing an app must never rotate its secret.
 */
function rotates(before: CtyValue, after: CtyValue): boolean {
  return before !== null && !isUnknown(after) && !valueEquals('number', before, after);
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
    client_secret: app.client_secret,
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

export const yufuOidcAppResource: ResourceDefinition<QianfanClients> = {
  typeName: TYPE_NAME,
  schema,

  modifyPlan(_ctx, { prior, planned }) {
    if (prior && rotates(prior.client_secret_version ?? null, planned.client_secret_version ?? null)) planned.client_secret = unknown();
  },

  async read(ctx, state) {
    const app = await (await ctx.client.yufu()).getApp(str(state.id)!, ctx.signal);
    return app ? toState(app, state.client_secret_version ?? null) : null;
  },

  async create(ctx, planned) {
    const yufu = await ctx.client.yufu();
    const wanted = input(planned);
    try {
      return toState(await yufu.createApp(wanted, ctx.signal), planned.client_secret_version ?? null);
    } catch (error) {
      // Names are unique per tenant. An app with this name is most often ours from an
      // apply that was killed after Yufu created it but before Terraform saved state:
      // adopt it (converging it to the plan) rather than fail or duplicate.
      if (!(error instanceof ServiceError && error.status === 409)) throw error;
      const [existing] = await yufu.findAppsByName(wanted.name, ctx.signal);
      if (!existing) throw error;
      if (existing.application_type !== wanted.application_type) {
        throw new ProviderError(
          'An application with this name already exists',
          `Yufu already has "${wanted.name}" (${existing.id}, application_type ${existing.application_type}); it cannot be adopted as application_type ${wanted.application_type}. Rename this one, or import the existing one.`,
          ['name'],
        );
      }
      ctx.diagnostics.warning(
        'Adopted an existing Yufu application',
        `Yufu already had an application named "${wanted.name}" (${existing.id}, created ${existing.created_at}), e.g. from an interrupted apply. It is now managed here and was updated to match the configuration.`,
      );
      const patch = diff(input(toState(existing)), wanted);
      const app = Object.keys(patch).length > 0 ? await yufu.updateApp(existing.id, patch, ctx.signal) : existing;
      return toState(app, planned.client_secret_version ?? null);
    }
  },

  async update(ctx, prior, planned) {
    const patch = diff(input(prior), input(planned));
    const yufu = await ctx.client.yufu();
    const id = str(prior.id)!;
    if (rotates(prior.client_secret_version ?? null, planned.client_secret_version ?? null)) {
      await yufu.rotateSecret(id, ctx.signal);
    }
    const app = Object.keys(patch).length > 0 ? await yufu.updateApp(id, patch, ctx.signal) : await yufu.getApp(id, ctx.signal);
    if (!app) throw new Error(`application ${id} disappeared during update`);
    return toState(app, planned.client_secret_version ?? null);
  },

  async delete(ctx, prior) {
    await (await ctx.client.yufu()).deleteApp(str(prior.id)!, ctx.signal);
  },

  async importState(ctx, id) {
    const app = await (await ctx.client.yufu()).getApp(id.trim(), ctx.signal);
    return app ? toState(app) : null;
  },
};
