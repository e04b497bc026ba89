// Yufu tenant admin API: OIDC app CRUD, as specified in docs/api/yufu-admin.md.
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import { ApiError, describeJsonType, readJsonObject, sendJson, sendNoContent, type Handler } from '../http';
import { creationKey, ownershipFields, parseClaim, type OwnershipStore } from '../ownership';
import { authenticateServiceAccount } from './auth';
import { handleControl } from './control';
import type { AppRecord, Tenant, YufuStore } from './store';
import { sameSettings, validateCreate, validatePatch } from './validation';

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const COLLECTION = '/api/v1/oidc-apps';

export interface AdminContext {
  store: YufuStore;
  ownership: OwnershipStore;
  tenant: Tenant;
  /** Exactly the printed admin base URL; also the JWT audience. */
  adminUrl: () => string;
  idpUrl: () => string;
  /** Called after any change so the IdP drops its cached provider at once. */
  onAppChanged: (clientId: string) => void;
}

export function appIssuer(ctx: AdminContext, clientId: string): string {
  return `${ctx.idpUrl()}/sso/tn-${ctx.tenant.id}/${clientId}/oidc`;
}

export function toApiApp(ctx: AdminContext, app: AppRecord) {
  const issuer = appIssuer(ctx, app.client_id);
  return {
    id: app.id,
    client_id: app.client_id,
    client_secret: app.client_secret,
    name: app.name,
    description: app.description,
    application_type: app.application_type,
    redirect_uris: app.redirect_uris,
    post_logout_redirect_uris: app.post_logout_redirect_uris,
    grant_types: app.grant_types,
    scopes: app.scopes,
    require_pkce: app.require_pkce,
    access_token_lifetime: app.access_token_lifetime,
    id_token_lifetime: app.id_token_lifetime,
    refresh_token_lifetime: app.refresh_token_lifetime,
    issuer,
    well_known_url: `${issuer}/.well-known/openid-configuration`,
    client_secret_version: app.client_secret_version,
    ...ownershipFields(ctx.ownership.get('yufu_app', app.id)),
    created_at: app.created_at,
    updated_at: app.updated_at,
  };
}

/** Canonical JSON (sorted keys) so key order does not make two equal bodies differ. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.keys(v as Record<string, unknown>)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v);
}

function methodNotAllowed(method: string | undefined, path: string, allowed: string): ApiError {
  return new ApiError(405, 'method_not_allowed', `method ${method ?? '-'} on ${path}: not supported; expected one of ${allowed}`, undefined, {
    allow: allowed,
  });
}

function parsePositiveInt(field: string, raw: string | null, dflt: number, max: number): number {
  if (raw === null || raw === '') return dflt;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new ApiError(400, 'invalid_argument', `${field}: got ${JSON.stringify(raw)}; expected an integer from 1 to ${max}`, field);
  }
  return Number(raw);
}

/** `client_secret_version`: absent or null, or a whole number (yufu-admin.md §4). */
function secretVersionField(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    const got = typeof v === 'number' ? String(v) : describeJsonType(v);
    throw new ApiError(400, 'invalid_argument', `client_secret_version: got ${got}; expected a whole number ≥ 0`, 'client_secret_version');
  }
  return v;
}

/** `?id=a,b` style filters: at most 100 values. */
function listParam(url: URL, name: string): string[] | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const values = raw.split(',').filter((v) => v !== '');
  if (values.length > 100) throw new ApiError(400, 'invalid_argument', `${name}: got ${values.length} values; expected at most 100`, name);
  return values;
}

function notFound(id: string): ApiError {
  return new ApiError(404, 'not_found', `oidc app ${JSON.stringify(id)}: not found in this tenant`);
}


export function createAdminHandler(ctx: AdminContext): Handler {
  const { store, tenant } = ctx;

  async function createApp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const idempotencyKey = creationKey(req) ?? undefined;
    const body = (await readJsonObject(req)) ?? {};
    const bodyHash = crypto.createHash('sha256').update(canonicalJson(body)).digest('hex');

    // Synchronous from here on: better-sqlite3 plus one JS thread makes the
    // check-then-insert below atomic with respect to concurrent requests.
    if (idempotencyKey !== undefined) {
      store.purgeIdempotency(Date.now() - IDEMPOTENCY_WINDOW_MS);
      const prior = store.findIdempotency(tenant.id, idempotencyKey, Date.now() - IDEMPOTENCY_WINDOW_MS);
      if (prior) {
        if (prior.body_hash !== bodyHash) {
          throw new ApiError(
            422,
            'idempotency_key_reused',
            `Idempotency-Key: ${JSON.stringify(idempotencyKey)} was already used with a different request body; expected the same body or a new key`,
            'Idempotency-Key',
          );
        }
        const app = store.getApp(tenant.id, prior.app_id);
        if (!app) {
          throw new ApiError(
            404,
            'not_found',
            `Idempotency-Key: ${JSON.stringify(idempotencyKey)} created oidc app ${prior.app_id}, which has since been deleted`,
          );
        }
        sendJson(res, 201, toApiApp(ctx, app), { location: `${COLLECTION}/${app.id}`, 'idempotent-replayed': 'true' });
        return;
      }
    }

    const { client_secret_version: label, ...settingsBody } = body;
    const secretVersion = secretVersionField(label);
    const settings = validateCreate(settingsBody);
    const app = store.transaction(() => {
      const created = store.insertApp(tenant.id, settings, secretVersion);
      ctx.ownership.created('yufu_app', created.id, idempotencyKey ?? null);
      if (idempotencyKey !== undefined) store.recordIdempotency(tenant.id, idempotencyKey, bodyHash, created.id);
      return created;
    });
    ctx.onAppChanged(app.client_id);
    sendJson(res, 201, toApiApp(ctx, app), { location: `${COLLECTION}/${app.id}` });
  }

  function listApps(url: URL, res: http.ServerResponse): void {
    const pageIndex = parsePositiveInt('page_index', url.searchParams.get('page_index'), 1, 1_000_000);
    const pageSize = parsePositiveInt('page_size', url.searchParams.get('page_size'), 50, 100);
    const name = url.searchParams.get('name');
    const { items, total } = store.listApps(tenant.id, {
      name: name === null || name === '' ? undefined : name,
      ids: listParam(url, 'id'),
      clientIds: listParam(url, 'client_id'),
      offset: (pageIndex - 1) * pageSize,
      limit: pageSize,
    });
    sendJson(res, 200, { items: items.map((a) => toApiApp(ctx, a)), total, page_index: pageIndex, page_size: pageSize });
  }

  async function patchApp(id: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = (await readJsonObject(req)) ?? {};
    const current = store.getApp(tenant.id, id);
    if (!current) throw notFound(id);
    const next = validatePatch(body, current);
    if (sameSettings(current, next)) {
      sendJson(res, 200, toApiApp(ctx, current));
      return;
    }
    const updated = store.updateApp(tenant.id, id, next);
    ctx.onAppChanged(updated.client_id);
    sendJson(res, 200, toApiApp(ctx, updated));
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    // Some HTTP clients percent-encode the ":" of custom methods such as ":rotate".
    const path = url.pathname.replace(/%3A/gi, ':');
    const method = req.method ?? '';

    if (path === '/healthz') {
      if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path.startsWith('/__control/')) return handleControl({ store, tenant }, path, req, res);
    if (!path.startsWith('/api/')) {
      throw new ApiError(404, 'not_found', `path ${path}: no such endpoint; the admin API lives under /api/v1`);
    }

    await authenticateServiceAccount(req, store, ctx.adminUrl());

    if (path === COLLECTION) {
      if (method === 'POST') return createApp(req, res);
      if (method === 'GET') return listApps(url, res);
      throw methodNotAllowed(method, path, 'GET, POST');
    }
    const rotate = /^\/api\/v1\/oidc-apps\/([^/]+)\/client-secret:rotate$/.exec(path);
    if (rotate) {
      if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
      const id = decodeURIComponent(rotate[1]!);
      const body = (await readJsonObject(req)) ?? {};
      for (const key of Object.keys(body)) {
        if (key !== 'client_secret_version') throw new ApiError(400, 'unknown_field', `${key}: unknown field; expected only: client_secret_version`, key);
      }
      const version = secretVersionField(body.client_secret_version);
      const current = store.getApp(tenant.id, id);
      if (!current) throw notFound(id);
      // A rotation to a label the secret already carries was done before: answer it again.
      if (version !== null && current.client_secret_version === version) {
        sendJson(res, 200, toApiApp(ctx, current));
        return;
      }
      const app = store.rotateSecret(tenant.id, id, version)!;
      ctx.onAppChanged(app.client_id);
      sendJson(res, 200, toApiApp(ctx, app));
      return;
    }
    const claim = /^\/api\/v1\/oidc-apps\/([^/]+):claim$/.exec(path);
    if (claim) {
      if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
      const id = decodeURIComponent(claim[1]!);
      const request = parseClaim((await readJsonObject(req)) ?? {});
      const app = store.getApp(tenant.id, id);
      if (!app) throw notFound(id);
      store.transaction(() => ctx.ownership.claim('yufu_app', id, request, `oidc app ${id}`));
      sendJson(res, 200, toApiApp(ctx, app));
      return;
    }
    const item = /^\/api\/v1\/oidc-apps\/([^/]+)$/.exec(path);
    if (item) {
      const id = decodeURIComponent(item[1]!);
      switch (method) {
        case 'GET': {
          const app = store.getApp(tenant.id, id);
          if (!app) throw notFound(id);
          sendJson(res, 200, toApiApp(ctx, app));
          return;
        }
        case 'PATCH':
          return patchApp(id, req, res);
        case 'DELETE': {
          const app = store.getApp(tenant.id, id);
          if (!app) throw notFound(id);
          store.transaction(() => {
            ctx.ownership.assertDeletable('yufu_app', id, url, `oidc app ${id}`);
            store.deleteApp(tenant.id, id);
            ctx.ownership.forget('yufu_app', id);
          });
          ctx.onAppChanged(app.client_id);
          sendNoContent(res);
          return;
        }
        default:
          throw methodNotAllowed(method, path, 'GET, PATCH, DELETE');
      }
    }
    throw new ApiError(404, 'not_found', `path ${path}: no such endpoint`);
  };
}
