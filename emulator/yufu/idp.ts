// The Yufu IdP: one real OpenID Provider (oidc-provider) per OIDC app, each with its own
// issuer `{idp_url}/sso/tn-{tenant}/{client_id}/oidc`, all served from one listener.
import type * as http from 'node:http';
import { Provider, type Configuration, type InteractionDetails } from 'oidc-provider';
import { ApiError, htmlEscape, readBody, sendHtml, sendJson, type Handler } from '../http';
import { SqliteOidcAdapter } from './oidc-adapter';
import type { AppRecord, Tenant, YufuStore } from './store';

export interface IdpContext {
  store: YufuStore;
  tenant: Tenant;
  idpUrl: () => string;
  log: (line: string) => void;
}

interface CachedProvider {
  revision: number;
  provider: Provider;
  callback: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
}

const MOUNT = /^\/sso\/tn-([^/]+)\/([^/]+)\/oidc(\/[^?]*)?$/;
const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)(\/login|\/abort)?$/;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlEscape(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f3f5f9;margin:0;padding:48px 16px}
main{max-width:360px;margin:0 auto;background:#fff;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.08);padding:28px 32px}
h1{font-size:20px;margin:0 0 4px}p.sub{color:#666;margin:0 0 20px;font-size:14px}
label{display:block;font-size:14px;margin:12px 0 4px}
input{width:100%;box-sizing:border-box;height:38px;padding:0 10px;border:1px solid #ccd;border-radius:4px;font-size:15px}
button{margin-top:20px;width:100%;height:40px;border:0;border-radius:4px;background:#0052d9;color:#fff;font-size:15px;cursor:pointer}
p.err{color:#c5221f;font-size:14px}a{color:#666;font-size:13px}pre{white-space:pre-wrap;font-size:13px}
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function loginPage(app: AppRecord, actionBase: string, opts: { username?: string; error?: string } = {}): string {
  return page(
    '千帆玉符 · 登录',
    `<h1>千帆玉符 Yufu 登录</h1>
<p class="sub">登录以继续访问 <strong>${htmlEscape(app.name)}</strong> · Sign in to continue to ${htmlEscape(app.name)}</p>
${opts.error ? `<p class="err" role="alert">${htmlEscape(opts.error)}</p>` : ''}
<form method="post" action="${htmlEscape(actionBase)}/login" autocomplete="off">
<label for="username">用户名 Username</label>
<input id="username" name="username" required autofocus value="${htmlEscape(opts.username ?? '')}">
<label for="password">密码 Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">登录 Sign in</button>
</form>
<p><a href="${htmlEscape(actionBase)}/abort">取消 Cancel</a></p>`,
  );
}

/**
 * Yufu issues a refresh token whenever offline_access is requested (and the app allows
 * refresh_token). OpenID Core lets an OP drop offline_access unless prompt=consent, and
 * oidc-provider does; since consent is automatic here, asking for it changes nothing
 * for the user but keeps the scope.
 */
function offlineAccessWithoutPrompt(search: string): string {
  const params = new URLSearchParams(search);
  const scopes = (params.get('scope') ?? '').split(' ');
  if (!scopes.includes('offline_access') || params.has('prompt')) return search;
  params.set('prompt', 'consent');
  return `?${params.toString()}`;
}

/**
 * Yufu's token endpoint also takes its parameters (client_id/client_secret included) as
 * a JSON object; oidc-provider only parses form bodies but uses an upstream-parsed
 * `req.body` when the stream is already consumed, so hand it the JSON as form fields.
 */
async function jsonBodyAsForm(req: http.IncomingMessage): Promise<string | undefined> {
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return undefined;
  const raw = await readBody(req, 56 * 1024);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return 'request body: not valid JSON; expected a JSON object of string parameters';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return 'request body: not a JSON object; expected a JSON object of string parameters';
  }
  const form: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      return `${k}: got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : 'an object'}; expected a string value`;
    }
    form[k] = String(v);
  }
  (req as http.IncomingMessage & { body?: Record<string, string> }).body = form;
  req.headers['content-type'] = 'application/x-www-form-urlencoded';
  return undefined;
}

export class YufuIdp {
  private readonly cache = new Map<string, CachedProvider>();

  constructor(private readonly ctx: IdpContext) {}

  /** Drops the cached provider so the next request sees the app as stored now. */
  invalidate(clientId: string): void {
    this.cache.delete(clientId);
  }

  mountPath(clientId: string): string {
    return `/sso/tn-${this.ctx.tenant.id}/${clientId}/oidc`;
  }

  readonly handler: Handler = async (req, res) => {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const search = queryAt === -1 ? '' : rawUrl.slice(queryAt);

    if (rawPath === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    const m = MOUNT.exec(rawPath);
    if (!m) throw new ApiError(404, 'not_found', `path ${rawPath}: no such endpoint; issuers live under /sso/tn-{tenant_id}/{client_id}/oidc`);
    const [, tenantId, clientId, rest = '/'] = m;
    if (tenantId !== this.ctx.tenant.id) throw new ApiError(404, 'not_found', `tenant tn-${tenantId}: not found on this IdP`);
    const entry = this.providerFor(clientId!);
    if (!entry) throw new ApiError(404, 'not_found', `oidc app with client_id ${JSON.stringify(clientId)}: not found in tenant tn-${tenantId}`);

    const interaction = INTERACTION.exec(rest);
    if (interaction) {
      await this.handleInteraction(entry.provider, entry.app, interaction[1]!, interaction[2], req, res);
      return;
    }

    let query = search;
    if (rest === '/auth' && req.method === 'GET') query = offlineAccessWithoutPrompt(search);
    if ((rest === '/token' || rest === '/token/revocation') && req.method === 'POST') {
      const problem = await jsonBodyAsForm(req);
      if (problem) {
        sendJson(res, 400, { error: 'invalid_request', error_description: problem });
        return;
      }
    }
    // Mount the provider the way Express would: it derives endpoint URLs from
    // originalUrl minus url (or baseUrl), so discovery advertises issuer-prefixed paths.
    const mounted = req as http.IncomingMessage & { originalUrl?: string; baseUrl?: string };
    mounted.originalUrl = `${this.mountPath(clientId!)}${rest}${query}`;
    mounted.baseUrl = this.mountPath(clientId!);
    req.url = `${rest}${query}`;
    await entry.callback(req, res);
  };

  /**
   * Looks the app up on every request: the revision check makes any change made
   * behind the admin API's back (another process, a restored DB) visible at once too.
   */
  private providerFor(clientId: string): (CachedProvider & { app: AppRecord }) | undefined {
    const { store, tenant } = this.ctx;
    const app = store.getAppByClientId(tenant.id, clientId);
    if (!app) {
      this.cache.delete(clientId);
      return undefined;
    }
    const cached = this.cache.get(clientId);
    if (cached && cached.revision === app.revision) return { ...cached, app };
    const provider = this.buildProvider(app);
    const fresh: CachedProvider = { revision: app.revision, provider, callback: provider.callback() };
    this.cache.set(clientId, fresh);
    return { ...fresh, app };
  }

  private buildProvider(app: AppRecord): Provider {
    const { store, tenant, log } = this.ctx;
    const mount = this.mountPath(app.client_id);
    const issuer = `${this.ctx.idpUrl()}${mount}`;
    const authCode = app.grant_types.includes('authorization_code');

    const configuration: Configuration = {
      adapter: (model: string) => new SqliteOidcAdapter(store.db, model),
      clients: [
        {
          client_id: app.client_id,
          client_secret: app.client_secret,
          client_name: app.name,
          // oidc-provider's "native" rules (no https on loopback, custom schemes) differ
          // from Yufu's; Yufu's own rules were enforced by the admin API already.
          application_type: 'web',
          redirect_uris: app.redirect_uris,
          post_logout_redirect_uris: app.post_logout_redirect_uris,
          grant_types: app.grant_types,
          response_types: authCode ? ['code'] : [],
          scope: app.scopes.join(' '),
          token_endpoint_auth_method: 'client_secret_basic',
          id_token_signed_response_alg: 'RS256',
        },
      ],
      jwks: { keys: store.signingKeys(tenant.id) },
      // Signed cookies with a per-tenant key from the DB; the session cookie is scoped
      // to the tenant path so a sign-in is shared by the tenant's apps, like Yufu SSO.
      cookies: {
        keys: [tenant.cookie_key],
        long: { httpOnly: true, sameSite: 'lax', path: `/sso/tn-${tenant.id}/` },
        short: { httpOnly: true, sameSite: 'lax' },
      },
      clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
      responseTypes: ['code'],
      scopes: ['openid', 'profile', 'email', 'phone', 'offline_access'],
      claims: {
        openid: ['sub', 'tnt_id'],
        profile: ['name', 'preferred_username'],
        email: ['email', 'email_verified'],
        phone: ['phone_number', 'phone_number_verified'],
      },
      // Yufu puts the profile claims in the ID token itself, not only in userinfo.
      conformIdTokenClaims: false,
      pkce: { required: () => app.require_pkce },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        revocation: { enabled: true, allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: { clientId: string }) => token.clientId === client.clientId },
        userinfo: { enabled: true },
        rpInitiatedLogout: {
          enabled: true,
          logoutSource: async (koa: { body: string }, form: string) => {
            koa.body = page(
              '千帆玉符 · 退出登录',
              `<h1>退出登录 Sign out</h1><p class="sub">退出 ${htmlEscape(app.name)}?</p>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">退出 Sign out</button>
<button type="submit" form="op.logoutForm" style="background:#889">取消 Stay signed in</button>`,
            );
          },
          postLogoutSuccessSource: async (koa: { body: string }) => {
            koa.body = page('千帆玉符 · 已退出', '<h1>已退出 Signed out</h1><p class="sub">You have been signed out.</p>');
          },
        },
        resourceIndicators: { enabled: false },
        pushedAuthorizationRequests: { enabled: false },
        dPoP: { enabled: false },
      },
      clientBasedCORS: (_ctx: unknown, origin: string) =>
        [...app.redirect_uris, ...app.post_logout_redirect_uris].some((u) => new URL(u).origin === origin),
      findAccount: async (_ctx: unknown, sub: string) => {
        const user = store.userById(tenant.id, sub);
        if (!user) return undefined;
        return {
          accountId: user.id,
          claims: async () => ({
            sub: user.id,
            preferred_username: user.username,
            name: user.name,
            email: user.email,
            email_verified: true,
            tnt_id: tenant.id,
          }),
        };
      },
      interactions: { url: async (_ctx: unknown, interaction: { uid: string }) => `${mount}/interaction/${interaction.uid}` },
      ttl: {
        AccessToken: app.access_token_lifetime,
        ClientCredentials: app.access_token_lifetime,
        IdToken: app.id_token_lifetime,
        RefreshToken: app.refresh_token_lifetime,
        AuthorizationCode: 60,
        Interaction: 3600,
        Session: 14 * 24 * 3600,
        // A grant must outlive the refresh tokens it backs.
        Grant: Math.max(app.refresh_token_lifetime, 14 * 24 * 3600),
      },
      renderError: async (koa: { type: string; body: string }, out: Record<string, string>) => {
        koa.type = 'html';
        koa.body = page(
          '千帆玉符 · 错误',
          `<h1>出错了 Something went wrong</h1>${Object.entries(out)
            .map(([k, v]) => `<pre><strong>${htmlEscape(k)}</strong>: ${htmlEscape(String(v))}</pre>`)
            .join('')}`,
        );
      },
    };

    const provider = new Provider(issuer, configuration);
    provider.proxy = false;
    provider.on('server_error', (_koa: unknown, err: Error) => {
      log(`idp server error for ${app.client_id}: ${err.message}`);
    });
    return provider;
  }

  private async handleInteraction(
    provider: Provider,
    app: AppRecord,
    uid: string,
    action: string | undefined,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const { store, tenant } = this.ctx;
    const clientId = app.client_id;
    const actionBase = `${this.mountPath(clientId)}/interaction/${uid}`;

    let details: InteractionDetails;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      sendHtml(res, 400, page('千帆玉符 · 登录已过期', '<h1>登录会话已过期</h1><p class="sub">The sign-in session expired or was not found. Go back to the application and start again.</p>'));
      return;
    }
    if (details.uid !== uid) {
      sendHtml(res, 400, page('千帆玉符 · 错误', '<h1>登录会话不匹配</h1><p class="sub">This sign-in page does not belong to the current sign-in session. Start again from the application.</p>'));
      return;
    }

    if (action === '/abort') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'end-user aborted the sign-in' }, { mergeWithLastSubmission: false });
      return;
    }

    if (action === '/login') {
      if (req.method !== 'POST') throw new ApiError(405, 'method_not_allowed', `method ${req.method ?? '-'} on the login endpoint: not supported; expected POST`);
      const form = new URLSearchParams((await readBody(req, 64 * 1024)).toString('utf8'));
      const username = form.get('username') ?? '';
      const password = form.get('password') ?? '';
      const user = username && password ? store.authenticate(tenant.id, username, password) : undefined;
      if (!user) {
        sendHtml(res, 401, loginPage(app, actionBase, { username, error: '用户名或密码错误 · Wrong username or password.' }));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: user.id } }, { mergeWithLastSubmission: false });
      return;
    }

    if (req.method !== 'GET') throw new ApiError(405, 'method_not_allowed', `method ${req.method ?? '-'} on the sign-in page: not supported; expected GET`);
    if (details.prompt.name === 'login') {
      sendHtml(res, 200, loginPage(app, actionBase));
      return;
    }
    if (details.prompt.name === 'consent') {
      // Yufu grants an app's configured scopes to its users without a consent screen.
      await this.autoConsent(provider, details, clientId, req, res);
      return;
    }
    sendHtml(res, 400, page('千帆玉符 · 错误', `<h1>不支持的交互</h1><p class="sub">Unsupported prompt ${htmlEscape(details.prompt.name)}.</p>`));
  }

  private async autoConsent(
    provider: Provider,
    details: InteractionDetails,
    clientId: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const accountId = details.session?.accountId;
    if (!accountId) throw new ApiError(400, 'invalid_request', 'consent without a signed-in user; start the sign-in again');
    const grant = details.grantId
      ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }))
      : new provider.Grant({ accountId, clientId });
    const missingScope = details.prompt.details.missingOIDCScope as string[] | undefined;
    const missingClaims = details.prompt.details.missingOIDCClaims as string[] | undefined;
    const missingResourceScopes = details.prompt.details.missingResourceScopes as Record<string, string[]> | undefined;
    if (missingScope) grant.addOIDCScope(missingScope.join(' '));
    if (missingClaims) grant.addOIDCClaims(missingClaims);
    if (missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missingResourceScopes)) grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
  }
}
