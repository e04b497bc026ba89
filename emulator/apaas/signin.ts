// The tenant's sign-in page, `{apaas_url}/{tenantId}/` (docs/api/apaas-admin.md §9): what
// https://apaas.weworkpro.tencent-cloud.com/{tenant}/ does for a person. The page is both
// the login-initiation URL and the OIDC redirect URI, as in production. It signs the
// person in with an authorization-code flow (PKCE S256, state, nonce) against the Yufu
// app saved on the tenant's 腾讯 HR 助手 connector (Well-known URL, Client ID, Client
// Secret), using openid-client, then maps the ID token's preferred_username to the user
// the HR sync created. Users disabled by the sync (leavers) and unknown users get 403.
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import { htmlEscape, isLoopbackHost, sendHtml } from '../http';
import type { ApaasStore, Connector, SyncedUser, Tenant } from './store';

/** The tenant page; the tenant id rule is the control endpoint's. */
export const TENANT_PAGE = /^\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})(\/?)$/;
const WELL_KNOWN_SUFFIX = '/.well-known/openid-configuration';
const SCOPE = 'openid profile email';
const FLOW_COOKIE = 'apaas_signin';
const SESSION_COOKIE = 'apaas_session';
const FLOW_TTL_SECONDS = 600;
const SESSION_TTL_SECONDS = 8 * 3600;
/** Discovery documents and JWKS are reused for a while, keyed by the connector's values. */
const CONFIG_TTL_MS = 5 * 60_000;
const HTTP_TIMEOUT_SECONDS = 10;

// openid-client 6 is ESM-only: loaded on first use with a dynamic import (the emulator
// runs under tsx; Node >= 20.19 would also require() it).
const loadOidc = () => import('openid-client');
type Oidc = Awaited<ReturnType<typeof loadOidc>>;
type OidcConfiguration = Awaited<ReturnType<Oidc['discovery']>>;

interface PendingFlow {
  /** tenant id, client id the flow was started with, PKCE verifier, state, nonce, expiry */
  t: string;
  c: string;
  v: string;
  s: string;
  n: string;
  exp: number;
}

interface Session {
  t: string;
  u: string;
  sub: string;
  iss: string;
  exp: number;
}

export interface SigninContext {
  store: ApaasStore;
  /** The aPaaS listener's base URL, e.g. http://127.0.0.1:43125 (no trailing slash). */
  baseUrl: () => string;
  /** HMAC key for the flow and session cookies (kept in the emulator's database). */
  cookieKey: Buffer;
  log: (line: string) => void;
}

function page(title: string, body: string, tenant?: Tenant): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlEscape(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;background:#f3f5f9;margin:0;color:#1f2329}
header{background:#0052d9;color:#fff;padding:14px 32px;font-size:16px}header small{opacity:.8;margin-left:8px}
main{max-width:560px;margin:40px auto;background:#fff;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.08);padding:28px 36px}
h1{font-size:22px;margin:0 0 6px}p.sub{color:#666;margin:0 0 22px;font-size:14px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:10px 20px;margin:0;font-size:15px}dt{color:#666}dd{margin:0;font-weight:600}
dd small{display:block;font-weight:400;color:#888;font-size:12px;margin-top:2px}
p.err{color:#c5221f;font-size:16px;font-weight:600}p.note{font-size:14px;color:#444;line-height:1.6}
p.meta{margin-top:24px;font-size:12px;color:#999;word-break:break-all}a{color:#0052d9}
</style>
</head>
<body><header>千帆 aPaaS<small>${htmlEscape(tenant ? `${tenant.name} · ${tenant.tenant_id}` : 'Qianfan aPaaS')}</small></header>
<main>${body}</main></body>
</html>`;
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

export class SigninPages {
  private readonly configs = new Map<string, { config: OidcConfiguration; expires: number }>();

  constructor(private readonly ctx: SigninContext) {}

  // --- signed cookies ------------------------------------------------------------------

  private sign(payload: object): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const mac = crypto.createHmac('sha256', this.ctx.cookieKey).update(body).digest('base64url');
    return `${body}.${mac}`;
  }

  private verify<T extends { exp: number }>(value: string | undefined): T | undefined {
    if (!value) return undefined;
    const dot = value.indexOf('.');
    if (dot <= 0) return undefined;
    const body = value.slice(0, dot);
    const mac = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = crypto.createHmac('sha256', this.ctx.cookieKey).update(body).digest();
    if (mac.length !== expected.length || !crypto.timingSafeEqual(mac, expected)) return undefined;
    try {
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
      return typeof payload.exp === 'number' && payload.exp > Date.now() / 1000 ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  private cookie(tenantId: string, name: string, value: string, maxAge: number): string {
    const secure = this.ctx.baseUrl().startsWith('https:') ? '; Secure' : '';
    return `${name}=${value}; Path=/${tenantId}/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`;
  }

  private pageUrl(tenantId: string): string {
    return `${this.ctx.baseUrl()}/${tenantId}/`;
  }

  // --- openid-client -------------------------------------------------------------------

  /** Discovery against the issuer behind the connector's Well-known URL, cached briefly. */
  private async configuration(connector: Connector): Promise<{ oidc: Oidc; config: OidcConfiguration }> {
    const oidc = await loadOidc();
    const secretHash = crypto.createHash('sha256').update(connector.client_secret).digest('hex');
    const key = `${connector.well_known_url}\n${connector.client_id}\n${secretHash}`;
    const cached = this.configs.get(key);
    if (cached && cached.expires > Date.now()) return { oidc, config: cached.config };
    // The connector check already proved the document's issuer is the URL minus the
    // suffix; discovery from the issuer checks it again.
    const issuer = new URL(connector.well_known_url.slice(0, -WELL_KNOWN_SUFFIX.length));
    const loopbackHttp = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname);
    const config = await oidc.discovery(
      issuer,
      connector.client_id,
      { client_secret: connector.client_secret, id_token_signed_response_alg: 'RS256' },
      oidc.ClientSecretBasic(connector.client_secret),
      {
        timeout: HTTP_TIMEOUT_SECONDS,
        // Plain http only where it cannot leave the machine; ID token signatures are
        // always checked against the issuer's JWKS.
        execute: loopbackHttp ? [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] : [oidc.enableNonRepudiationChecks],
      },
    );
    for (const [k, v] of this.configs) if (v.expires <= Date.now()) this.configs.delete(k);
    this.configs.set(key, { config, expires: Date.now() + CONFIG_TTL_MS });
    return { oidc, config };
  }

  // --- the page ------------------------------------------------------------------------

  /** Serves GET `/{tenantId}/`; returns false when the path is not a tenant page. */
  async handle(req: http.IncomingMessage, url: URL, res: http.ServerResponse): Promise<boolean> {
    const m = TENANT_PAGE.exec(url.pathname);
    if (!m) return false;
    const tenantId = m[1]!;
    const tenant = this.ctx.store.tenant(tenantId);
    if (!tenant) {
      sendHtml(res, 404, page('千帆 aPaaS · 租户不存在', `<h1>租户不存在 · No such tenant</h1><p class="note">There is no aPaaS tenant <strong>${htmlEscape(tenantId)}</strong> on this service.</p>`));
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendHtml(res, 405, page('千帆 aPaaS', '<h1>Method not allowed</h1><p class="note">This page answers GET only.</p>', tenant));
      return true;
    }
    if (m[2] !== '/') {
      res.writeHead(301, { location: `/${tenantId}/${url.search}`, 'cache-control': 'no-store' });
      res.end();
      return true;
    }
    const q = url.searchParams;
    if (q.has('code') || q.has('error')) {
      await this.callback(tenant, req, url, res);
      return true;
    }
    const cookies = parseCookies(req.headers.cookie);
    const session = this.verify<Session>(cookies.get(SESSION_COOKIE));
    if (session && session.t === tenantId) {
      this.signedIn(tenant, session, res);
      return true;
    }
    await this.start(tenant, res);
    return true;
  }

  private notConfigured(tenant: Tenant, res: http.ServerResponse): void {
    sendHtml(
      res,
      409,
      page(
        '千帆 aPaaS · 未配置单点登录',
        `<h1>尚未配置登录 · Sign-in is not set up</h1>
<p class="note">Tenant <strong>${htmlEscape(tenant.tenant_id)}</strong> has no 【腾讯 HR 助手】 connector, so there is no Yufu app to sign in with.
An administrator saves one under 用户管理 (Corp Key, Well-known URL, Client ID, Client Secret).</p>`,
        tenant,
      ),
    );
  }

  /** Redirects to the Yufu app's authorization endpoint; the flow's secrets go in a signed cookie. */
  private async start(tenant: Tenant, res: http.ServerResponse): Promise<void> {
    const connector = this.ctx.store.connector(tenant.tenant_id);
    if (!connector) return this.notConfigured(tenant, res);
    let oidc: Oidc;
    let config: OidcConfiguration;
    try {
      ({ oidc, config } = await this.configuration(connector));
    } catch (err) {
      this.ctx.log(`apaas sign-in tenant ${tenant.tenant_id}: discovery failed: ${(err as Error).message}`);
      sendHtml(
        res,
        502,
        page(
          '千帆 aPaaS · 无法连接千帆玉符',
          `<h1>无法连接千帆玉符 · Yufu is unreachable</h1><p class="note">Discovery at the connector's Well-known URL failed: ${htmlEscape((err as Error).message)}. Try again later.</p>`,
          tenant,
        ),
      );
      return;
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const flow: PendingFlow = {
      t: tenant.tenant_id,
      c: connector.client_id,
      v: verifier,
      s: oidc.randomState(),
      n: oidc.randomNonce(),
      exp: Math.floor(Date.now() / 1000) + FLOW_TTL_SECONDS,
    };
    const target = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.pageUrl(tenant.tenant_id),
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.s,
      nonce: flow.n,
    });
    res.writeHead(302, {
      location: target.href,
      'set-cookie': this.cookie(tenant.tenant_id, FLOW_COOKIE, this.sign(flow), FLOW_TTL_SECONDS),
      'cache-control': 'no-store',
    });
    res.end();
  }

  /** The redirect back from Yufu: code exchange, ID token checks, user mapping. */
  private async callback(tenant: Tenant, req: http.IncomingMessage, url: URL, res: http.ServerResponse): Promise<void> {
    const tenantId = tenant.tenant_id;
    // One use only, whatever the outcome.
    res.setHeader('set-cookie', this.cookie(tenantId, FLOW_COOKIE, '', 0));
    const startAgain = `<p class="note"><a href="/${htmlEscape(tenantId)}/">重新登录 · Sign in again</a></p>`;
    const flow = this.verify<PendingFlow>(parseCookies(req.headers.cookie).get(FLOW_COOKIE));
    const connector = this.ctx.store.connector(tenantId);
    if (!connector) return this.notConfigured(tenant, res);
    if (!flow || flow.t !== tenantId || flow.c !== connector.client_id) {
      sendHtml(
        res,
        400,
        page(
          '千帆 aPaaS · 登录已过期',
          `<h1>登录会话已过期 · Sign-in expired</h1><p class="note">This sign-in was not started from this page in this browser, took longer than ${FLOW_TTL_SECONDS / 60} minutes, or the tenant's connector changed meanwhile.</p>${startAgain}`,
          tenant,
        ),
      );
      return;
    }

    let claims: Record<string, unknown>;
    try {
      const { oidc, config } = await this.configuration(connector);
      // The redirect URI sent to the token endpoint is this URL without its query: the page.
      const currentUrl = new URL(`${this.pageUrl(tenantId)}${url.search}`);
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: flow.v,
        expectedState: flow.s,
        expectedNonce: flow.n,
        idTokenExpected: true,
      });
      claims = (tokens.claims() ?? {}) as Record<string, unknown>;
    } catch (err) {
      const e = err as Error & { error?: string; error_description?: string; code?: string; cause?: unknown };
      const cancelled = e.error === 'access_denied';
      // openid-client wraps oauth4webapi's precise message (e.g. 'unexpected "state"
      // response parameter value') in a generic one, keeping it as the cause.
      const detail = e.cause instanceof Error && e.cause.message !== e.message ? ` (${e.cause.message})` : '';
      const what = e.error
        ? `${e.error}${e.error_description ? `: ${e.error_description}` : ''}`
        : `${e.code ? `${e.code}: ` : ''}${e.message}${detail}`;
      this.ctx.log(`apaas sign-in tenant ${tenantId}: ${cancelled ? 'cancelled at Yufu' : `failed: ${what}`}`);
      sendHtml(
        res,
        cancelled ? 401 : 400,
        page(
          '千帆 aPaaS · 登录失败',
          cancelled
            ? `<h1>登录已取消 · Sign-in cancelled</h1><p class="note">The sign-in at 千帆玉符 was cancelled.</p>${startAgain}`
            : `<h1>登录失败 · Sign-in failed</h1><p class="note">The sign-in with 千帆玉符 could not be completed: ${htmlEscape(what)}</p>${startAgain}`,
          tenant,
        ),
      );
      return;
    }

    const username = typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined;
    const sub = String(claims.sub);
    const iss = String(claims.iss);
    const user = username === undefined ? undefined : this.ctx.store.usersByUsername(tenantId, username)[0];
    if (!user) {
      this.ctx.log(`apaas sign-in tenant ${tenantId}: refused ${username ?? `sub ${sub}`}: not a user of the tenant`);
      this.refuseUnknown(tenant, username, sub, res);
      return;
    }
    if (user.status !== 'active') {
      this.ctx.log(`apaas sign-in tenant ${tenantId}: refused ${user.username} (${user.id}): disabled by the HR sync`);
      this.refuseDisabled(tenant, user, res);
      return;
    }
    const session: Session = { t: tenantId, u: user.id, sub, iss, exp: Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS };
    this.ctx.log(`apaas sign-in tenant ${tenantId}: ${user.username} (${user.id}) signed in`);
    // Drop the code from the address bar: back to the page itself, now with a session.
    res.writeHead(303, {
      location: `/${tenantId}/`,
      'set-cookie': [this.cookie(tenantId, FLOW_COOKIE, '', 0), this.cookie(tenantId, SESSION_COOKIE, this.sign(session), SESSION_TTL_SECONDS)],
      'cache-control': 'no-store',
    });
    res.end();
  }

  private refuseUnknown(tenant: Tenant, username: string | undefined, sub: string, res: http.ServerResponse): void {
    const who = username ?? sub;
    sendHtml(
      res,
      403,
      page(
        '千帆 aPaaS · 无法登录',
        `<h1 data-refused="unknown">无法登录 · Access denied</h1>
<p class="err">${htmlEscape(who)} 不是本租户的用户 · is not a user of this tenant.</p>
<p class="note">千帆玉符 signed you in as <strong>${htmlEscape(who)}</strong>, but tenant <strong>${htmlEscape(tenant.tenant_id)}</strong> has no user with that username.
Its users come from 腾讯 HR 助手 (the E-HR directory); ask your HR administrator to add you there.</p>`,
        tenant,
      ),
    );
  }

  private refuseDisabled(tenant: Tenant, user: SyncedUser, res: http.ServerResponse): void {
    sendHtml(
      res,
      403,
      page(
        '千帆 aPaaS · 账号已停用',
        `<h1 data-refused="disabled">账号已停用 · Account disabled</h1>
<p class="err">${htmlEscape(user.name)}（${htmlEscape(user.username)}）的账号已停用 · This account is disabled.</p>
<p class="note">The organisation sync from 腾讯 HR 助手 disabled this user in tenant <strong>${htmlEscape(tenant.tenant_id)}</strong>:
the employee has left the company (离职) or is no longer in the HR directory. Signing in is not allowed.</p>`,
        tenant,
      ),
    );
  }

  private signedIn(tenant: Tenant, session: Session, res: http.ServerResponse): void {
    const user = this.ctx.store.syncedUser(tenant.tenant_id, session.u);
    if (!user || user.status !== 'active') {
      // Disabled by a sync after signing in: the session ends here.
      res.setHeader('set-cookie', this.cookie(tenant.tenant_id, SESSION_COOKIE, '', 0));
      if (user) this.refuseDisabled(tenant, user, res);
      else this.refuseUnknown(tenant, undefined, session.sub, res);
      return;
    }
    const path = this.ctx.store.departmentPath(tenant.tenant_id, user.department_external_id);
    const dept = path[path.length - 1];
    const deptHtml = dept
      ? `${htmlEscape(dept.name)}${dept.status === 'active' ? '' : '（已撤销 dissolved）'}${path.length > 1 ? `<small>${htmlEscape(path.map((d) => d.name).join(' / '))}</small>` : ''}`
      : '—';
    sendHtml(
      res,
      200,
      page(
        `千帆 aPaaS · ${user.name}`,
        `<h1>欢迎，<span data-field="greeting">${htmlEscape(user.name)}</span></h1>
<p class="sub">已通过千帆玉符单点登录 · Signed in with Yufu single sign-on</p>
<dl>
<dt>姓名 Name</dt><dd data-field="name">${htmlEscape(user.name)}</dd>
<dt>部门 Department</dt><dd data-field="department">${deptHtml}</dd>
<dt>职位 Title</dt><dd data-field="title">${htmlEscape(user.title || '—')}</dd>
<dt>用户名 Username</dt><dd data-field="username">${htmlEscape(user.username)}</dd>
<dt>邮箱 E-mail</dt><dd data-field="email">${htmlEscape(user.email)}</dd>
</dl>
<p class="meta">aPaaS user ${htmlEscape(user.id)} · E-HR ${htmlEscape(user.external_id)} · Yufu sub ${htmlEscape(session.sub)}<br>issuer ${htmlEscape(session.iss)}</p>`,
        tenant,
      ),
    );
  }
}
