// aPaaS user-management admin API (docs/api/apaas-admin.md): TC3-signed /api/v1, plus the
// emulator-only /__control endpoints. One handler for the whole listener, so
// cross-cutting behaviour (fault injection) can wrap it in one place.
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import {
  ApiError,
  assertLoopbackCaller,
  describeJsonType,
  methodNotAllowed,
  parseIntParam,
  parseJsonObject,
  readBody,
  readJsonObject,
  sendJson,
  sendNoContent,
  type Handler,
} from '../http';
import { createOnly, creationKey, ownershipFields, parseClaim, type OwnedKind, type OwnershipStore } from '../ownership';
import { checkClientId, checkClientSecret, checkCorpKey, checkTenantId, checkText, checkWellKnownUrl, describeProblem } from '../../providers/qianfan/rules';
import { checkClientCredentials, checkCorp, checkDiscovery } from './checks';
import type { EhrClient } from './ehr-client';
import { validateSchedule, type Scheduler } from './schedules';
import { SOURCE_LABELS, USER_SOURCES, type ApaasStore, type Connector, type Run, type Schedule, type Tenant, type UserSource } from './store';
import type { SigninPages } from './signin';
import type { SyncEngine } from './sync';
import { verifyTc3 } from './tc3';

export interface ApaasApiContext {
  store: ApaasStore;
  ownership: OwnershipStore;
  engine: SyncEngine;
  scheduler: Scheduler;
  ehr: EhrClient;
  /** The tenants' sign-in pages at `/{tenantId}/` (§9). */
  signin?: SigninPages;
  /** The host:port this listener is reached at: TC3 signatures must be over it (§8). */
  servedHost?: () => string;
}

const FIRE_PATH = /^\/__control\/tenants\/([^/]+)\/sync-schedule:fire$/;
const TENANT_PATH = /^\/api\/v1\/tenants\/([^/]+)(?:\/(hr-connector|sync-runs|sync-schedule|users|departments)(?::(claim)|\/([^/]+))?)?$/;

const invalid = (field: string, message: string): ApiError => new ApiError(400, 'invalid_argument', message, field);

function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw new ApiError(400, 'unknown_field', `${key}: unknown field; expected only: ${allowed.join(', ')}`, key);
  }
}

function requiredString(body: Record<string, unknown>, field: string, expected: string): string {
  const v = body[field];
  if (v === undefined) throw invalid(field, `${field}: missing; expected ${expected}`);
  if (typeof v !== 'string') throw invalid(field, `${field}: got ${describeJsonType(v)}; expected ${expected}`);
  return v;
}

interface ConnectorInput {
  corp_key: string;
  well_known_url: string;
  client_id: string;
  client_secret: string;
}

/** The connector body: JSON types here, values by the shared rules (the provider checks the same at plan). */
export function validateConnector(body: Record<string, unknown>): ConnectorInput {
  onlyFields(body, ['corp_key', 'well_known_url', 'client_id', 'client_secret']);
  const fields = [
    ['corp_key', checkCorpKey, 'lowercase letters and digits, 1 to 63 characters (the label in ehrnew-{corpKey}.ihr.tencent-cloud.com)'],
    ['well_known_url', checkWellKnownUrl, 'an https URL ending in /.well-known/openid-configuration'],
    ['client_id', checkClientId, 'a non-empty string of at most 256 characters'],
    ['client_secret', checkClientSecret, 'a non-empty string of at most 256 characters'],
  ] as const;
  const input: Partial<ConnectorInput> = {};
  for (const [field, rule, expected] of fields) {
    const v = requiredString(body, field, expected);
    const problem = rule(v);
    // The secret's value is never echoed, only its length.
    if (problem) throw invalid(field, describeProblem(field, problem, v, field === 'client_secret'));
    input[field] = v;
  }
  return input as ConnectorInput;
}

export function toApiTenant(t: Tenant) {
  return {
    tenant_id: t.tenant_id,
    name: t.name,
    user_source: t.user_source,
    initialized_at: t.initialized_at,
    source_switches_left: t.source_switches_left,
  };
}

export function toApiRun(r: Run) {
  return {
    id: r.id,
    tenant_id: r.tenant_id,
    trigger: r.trigger,
    mode: r.mode,
    status: r.status,
    queued_at: r.queued_at,
    started_at: r.started_at,
    finished_at: r.finished_at,
    counts: r.counts,
    error: r.error,
  };
}

/** 409 source_locked unless this tenant may (still) take the HR assistant as its source. */
function assertHrSourceAllowed(t: Tenant): void {
  const source = t.user_source;
  if (source === null || source === 'hr_assistant') return;
  if (source === 'self_registration' && t.source_switches_left > 0) return;
  const label = SOURCE_LABELS[source];
  const why =
    source === 'self_registration'
      ? 'a self-registration tenant may switch its source once, and this one already has'
      : "once a tenant's user data was initialised from WeCom, the HR assistant or Yufu the source cannot be changed";
  throw new ApiError(
    409,
    'source_locked',
    `tenant ${t.tenant_id}: its user source is ${label}, initialised at ${t.initialized_at ?? 'an unknown time'}; ${why}, not in the aPaaS console either. ` +
      `A 腾讯 HR 助手 connector cannot be saved for it; use a tenant whose source is unset or hr_assistant`,
  );
}

function assertCorpKeyAllowed(t: Tenant, corpKey: string): void {
  if (t.user_source === 'hr_assistant' && t.hr_corp_key !== null && t.hr_corp_key !== corpKey) {
    throw new ApiError(
      409,
      'corp_key_locked',
      `corp_key: tenant ${t.tenant_id} was initialised from HR organisation ${JSON.stringify(t.hr_corp_key)}; got ${JSON.stringify(corpKey)}. ` +
        'The Corp Key cannot change once the source is hr_assistant (a different HR organisation would mix two directories)',
      'corp_key',
    );
  }
}

export function createApaasHandler(ctx: ApaasApiContext): Handler {
  const { store, engine, scheduler, ownership } = ctx;

  /** ownership.md §2: create-only PUTs of the tenant's singleton objects. */
  const assertCreatable = (req: http.IncomingMessage, exists: boolean, what: string, tenantId: string): void => {
    if (exists && createOnly(req)) {
      throw new ApiError(412, 'already_exists', `tenant ${tenantId}: already has ${what}; If-None-Match: * only creates`);
    }
  };

  const tenantOr404 = (tenantId: string): Tenant => {
    const t = store.tenant(tenantId);
    if (!t) throw new ApiError(404, 'not_found', `tenant ${JSON.stringify(tenantId)}: not found`);
    return t;
  };

  const toApiConnector = (c: Connector) => {
    const lastRun = store.lastRun(c.tenant_id);
    const tenant = store.tenant(c.tenant_id);
    return {
      tenant_id: c.tenant_id,
      user_source: tenant?.user_source ?? null,
      initialized_at: tenant?.initialized_at ?? null,
      corp_key: c.corp_key,
      well_known_url: c.well_known_url,
      client_id: c.client_id,
      client_secret_sha256: crypto.createHash('sha256').update(c.client_secret, 'utf8').digest('hex'),
      status: 'active' as const,
      created_at: c.created_at,
      updated_at: c.updated_at,
      ...ownershipFields(ownership.get('apaas_connector', c.tenant_id)),
      initial_run_id: c.initial_run_id,
      last_run: lastRun ? toApiRun(lastRun) : null,
    };
  };

  const toApiSchedule = (s: Schedule) => {
    const lastRun = store.lastRun(s.tenant_id, 'schedule');
    return {
      tenant_id: s.tenant_id,
      cron: s.cron,
      time_zone: s.time_zone,
      mode: s.mode,
      enabled: s.enabled,
      next_run_at: s.enabled ? scheduler.nextRunAt(s.tenant_id) : null,
      created_at: s.created_at,
      updated_at: s.updated_at,
      ...ownershipFields(ownership.get('apaas_schedule', s.tenant_id)),
      last_run: lastRun ? toApiRun(lastRun) : null,
    };
  };

  async function putConnector(tenantId: string, req: http.IncomingMessage, body: Record<string, unknown>, res: http.ServerResponse): Promise<void> {
    const before = tenantOr404(tenantId);
    const key = creationKey(req);
    assertCreatable(req, store.connector(tenantId) !== undefined, 'an HR connector', tenantId);
    const input = validateConnector(body);
    assertHrSourceAllowed(before);
    assertCorpKeyAllowed(before, input.corp_key);

    const { tokenEndpoint } = await checkDiscovery(input.well_known_url);
    await checkClientCredentials(tokenEndpoint, input.client_id, input.client_secret);
    await checkCorp(ctx.ehr, input.corp_key);

    // Synchronous from here: the rules are checked again against the state now, since
    // other requests may have run during the checks above.
    let queued: Run | undefined;
    const saved = store.transaction(() => {
      const tenant = tenantOr404(tenantId);
      assertHrSourceAllowed(tenant);
      assertCorpKeyAllowed(tenant, input.corp_key);
      const existing = store.connector(tenantId);
      assertCreatable(req, existing !== undefined, 'an HR connector', tenantId);
      if (!existing) ownership.created('apaas_connector', tenantId, key);
      const relevantChange =
        !existing ||
        existing.corp_key !== input.corp_key ||
        existing.well_known_url !== input.well_known_url ||
        existing.client_id !== input.client_id;
      const changed = relevantChange || existing.client_secret !== input.client_secret;
      if (relevantChange) queued = store.insertRun(tenantId, input.corp_key, 'initial', 'full');
      store.initialiseHrSource(tenantId, input.corp_key);
      return store.putConnector({ tenant_id: tenantId, ...input, initial_run_id: queued?.id ?? existing?.initial_run_id ?? null }, changed);
    });
    if (queued) engine.start(queued);
    sendJson(res, 200, toApiConnector(saved));
  }

  function deleteConnector(tenantId: string, url: URL, res: http.ServerResponse): void {
    const tenant = tenantOr404(tenantId);
    store.transaction(() => {
      if (!store.connector(tenantId)) throw new ApiError(404, 'not_found', `tenant ${tenantId}: has no HR connector`);
      ownership.assertDeletable('apaas_connector', tenantId, url, `the HR connector of tenant ${tenantId}`);
      store.deleteConnector(tenantId);
      ownership.forget('apaas_connector', tenantId);
    });
    // The schedule stays (apaas-admin.md §8): its ticks run nothing until a connector is saved again.
    engine.cancelTenant(tenantId, 'cancelled: the HR connector was deleted');
    const retained = ['user_source', 'users', 'departments', ...(store.schedule(tenantId) ? ['sync_schedule'] : [])];
    sendJson(res, 200, { deleted: true, user_source: store.tenant(tenantId)?.user_source ?? tenant.user_source, retained });
  }

  function putSchedule(tenantId: string, req: http.IncomingMessage, body: Record<string, unknown>, res: http.ServerResponse): void {
    tenantOr404(tenantId);
    const key = creationKey(req);
    const { cron, time_zone: timeZone, mode, enabled } = validateSchedule(body);
    if (!store.connector(tenantId)) {
      throw new ApiError(409, 'no_connector', `tenant ${tenantId}: has no HR connector; save one (PUT …/hr-connector) before its sync schedule`);
    }
    const saved = store.transaction(() => {
      const existing = store.schedule(tenantId);
      assertCreatable(req, existing !== undefined, 'a sync schedule', tenantId);
      if (!existing) ownership.created('apaas_schedule', tenantId, key);
      return store.putSchedule({ tenant_id: tenantId, cron, time_zone: timeZone, mode, enabled });
    });
    scheduler.set(saved);
    sendJson(res, 200, toApiSchedule(saved));
  }

  function startRun(tenantId: string, body: Record<string, unknown>, res: http.ServerResponse): void {
    tenantOr404(tenantId);
    onlyFields(body, ['mode']);
    const mode = body.mode ?? 'incremental';
    if (mode !== 'full' && mode !== 'incremental') throw invalid('mode', `mode: got ${JSON.stringify(mode)}; expected "full" or "incremental"`);
    const connector = store.connector(tenantId);
    if (!connector) throw new ApiError(409, 'no_connector', `tenant ${tenantId}: has no HR connector; nothing to sync from`);
    const run = engine.enqueue(tenantId, connector.corp_key, 'manual', mode);
    sendJson(res, 202, toApiRun(run), { location: `/api/v1/tenants/${encodeURIComponent(tenantId)}/sync-runs/${run.id}` });
  }

  /** `POST …/hr-connector:claim`, `POST …/sync-schedule:claim` (ownership.md §3). */
  function claimSingleton(tenantId: string, sub: string | undefined, method: string, path: string, body: Record<string, unknown>, res: http.ServerResponse): void {
    if (sub !== 'hr-connector' && sub !== 'sync-schedule') throw new ApiError(404, 'not_found', `path ${path}: no such endpoint`);
    if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
    tenantOr404(tenantId);
    const request = parseClaim(body);
    const kind: OwnedKind = sub === 'hr-connector' ? 'apaas_connector' : 'apaas_schedule';
    const what = sub === 'hr-connector' ? 'HR connector' : 'sync schedule';
    store.transaction(() => {
      const exists = sub === 'hr-connector' ? store.connector(tenantId) !== undefined : store.schedule(tenantId) !== undefined;
      if (!exists) throw new ApiError(404, 'not_found', `tenant ${tenantId}: has no ${what}`);
      ownership.claim(kind, tenantId, request, `the ${what} of tenant ${tenantId}`);
    });
    if (sub === 'hr-connector') sendJson(res, 200, toApiConnector(store.connector(tenantId)!));
    else sendJson(res, 200, toApiSchedule(store.schedule(tenantId)!));
  }

  /** `GET /api/v1/tenants`: the tenants these credentials see, paged, ordered by id (read-only). */
  function listTenants(method: string, path: string, url: URL, res: http.ServerResponse): void {
    if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
    const pageIndex = parseIntParam('page_index', url.searchParams.get('page_index'), 1, 1, 1_000_000);
    const pageSize = parseIntParam('page_size', url.searchParams.get('page_size'), 20, 1, 100);
    const { items, total } = store.listTenants((pageIndex - 1) * pageSize, pageSize);
    sendJson(res, 200, { items: items.map(toApiTenant), total, page_index: pageIndex, page_size: pageSize });
  }

  async function api(req: http.IncomingMessage, url: URL, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req, 1 << 20);
    verifyTc3(req, raw, (secretId) => store.secretKey(secretId), undefined, ctx.servedHost?.());
    const body = (): Record<string, unknown> => parseJsonObject(raw, req.headers['content-type']) ?? {};
    const path = url.pathname;
    const method = req.method ?? '';
    if (path === '/api/v1/tenants') return listTenants(method, path, url, res);
    // The colon of `:claim` may arrive percent-encoded.
    const m = TENANT_PATH.exec(path.replace(/%3A/gi, ':'));
    if (!m) throw new ApiError(404, 'not_found', `path ${path}: no such endpoint; the API lives under /api/v1/tenants/{tenant_id}`);
    const tenantId = decodeURIComponent(m[1]!);
    const sub = m[2];
    const item = m[4] === undefined ? undefined : decodeURIComponent(m[4]);
    if (m[3] === 'claim') return claimSingleton(tenantId, sub, method, path, body(), res);

    if (sub === undefined) {
      if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
      sendJson(res, 200, toApiTenant(tenantOr404(tenantId)));
      return;
    }
    if (item !== undefined && sub !== 'sync-runs') throw new ApiError(404, 'not_found', `path ${path}: no such endpoint`);
    switch (sub) {
      case 'hr-connector': {
        if (method === 'PUT') return putConnector(tenantId, req, body(), res);
        if (method === 'DELETE') return deleteConnector(tenantId, url, res);
        if (method !== 'GET') throw methodNotAllowed(method, path, 'GET, PUT, DELETE');
        tenantOr404(tenantId);
        const c = store.connector(tenantId);
        if (!c) throw new ApiError(404, 'not_found', `tenant ${tenantId}: has no HR connector`);
        sendJson(res, 200, toApiConnector(c));
        return;
      }
      case 'sync-schedule': {
        if (method === 'PUT') return putSchedule(tenantId, req, body(), res);
        if (method !== 'GET' && method !== 'DELETE') throw methodNotAllowed(method, path, 'GET, PUT, DELETE');
        tenantOr404(tenantId);
        const s = store.schedule(tenantId);
        if (!s) throw new ApiError(404, 'not_found', `tenant ${tenantId}: has no sync schedule`);
        if (method === 'GET') {
          sendJson(res, 200, toApiSchedule(s));
          return;
        }
        store.transaction(() => {
          ownership.assertDeletable('apaas_schedule', tenantId, url, `the sync schedule of tenant ${tenantId}`);
          store.deleteSchedule(tenantId);
          ownership.forget('apaas_schedule', tenantId);
        });
        scheduler.remove(tenantId);
        sendNoContent(res);
        return;
      }
      case 'sync-runs': {
        if (item !== undefined) {
          if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
          tenantOr404(tenantId);
          const run = store.tenantRun(tenantId, item);
          if (!run) throw new ApiError(404, 'not_found', `sync run ${JSON.stringify(item)}: not found for tenant ${tenantId}`);
          sendJson(res, 200, toApiRun(run));
          return;
        }
        if (method === 'POST') return startRun(tenantId, body(), res);
        if (method !== 'GET') throw methodNotAllowed(method, path, 'GET, POST');
        tenantOr404(tenantId);
        const pageIndex = parseIntParam('page_index', url.searchParams.get('page_index'), 1, 1, 1_000_000);
        const pageSize = parseIntParam('page_size', url.searchParams.get('page_size'), 20, 1, 100);
        const { items, total } = store.listRuns(tenantId, (pageIndex - 1) * pageSize, pageSize);
        sendJson(res, 200, { items: items.map(toApiRun), total, page_index: pageIndex, page_size: pageSize });
        return;
      }
      case 'users':
      case 'departments': {
        if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
        tenantOr404(tenantId);
        const pageIndex = parseIntParam('page_index', url.searchParams.get('page_index'), 1, 1, 10_000_000);
        const pageSize = parseIntParam('page_size', url.searchParams.get('page_size'), 100, 1, 1000);
        const offset = (pageIndex - 1) * pageSize;
        if (sub === 'departments') {
          sendJson(res, 200, { ...store.listDepartments(tenantId, offset, pageSize), page_index: pageIndex, page_size: pageSize });
          return;
        }
        const status = url.searchParams.get('status');
        if (status !== null && status !== '' && status !== 'active' && status !== 'disabled') {
          throw invalid('status', `status: got ${JSON.stringify(status)}; expected "active" or "disabled"`);
        }
        const filter = status === 'active' || status === 'disabled' ? status : undefined;
        sendJson(res, 200, { ...store.listUsers(tenantId, filter, offset, pageSize), page_index: pageIndex, page_size: pageSize });
        return;
      }
      default:
        throw new ApiError(404, 'not_found', `path ${path}: no such endpoint`);
    }
  }

  async function controlTenants(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'POST') throw methodNotAllowed(req.method, '/__control/tenants', 'POST');
    const body = (await readJsonObject(req)) ?? {};
    onlyFields(body, ['tenant_id', 'name', 'user_source']);
    const tenantId = requiredString(body, 'tenant_id', 'letters, digits, "-" or "_", 1 to 64 characters');
    const idProblem = checkTenantId(tenantId);
    if (idProblem) throw invalid('tenant_id', describeProblem('tenant_id', idProblem, tenantId));
    const name = body.name ?? tenantId;
    if (typeof name !== 'string') throw invalid('name', `name: got ${describeJsonType(name)}; expected a string of 1 to 100 characters`);
    const nameProblem = checkText(name, { min: 1, max: 100, what: 'name' });
    if (nameProblem) throw invalid('name', describeProblem('name', nameProblem, name));
    const source = body.user_source ?? null;
    if (source !== null && !(USER_SOURCES as readonly unknown[]).includes(source)) {
      throw invalid('user_source', `user_source: got ${JSON.stringify(source)}; expected null or one of ${USER_SOURCES.join(', ')}`);
    }
    if (store.tenant(tenantId)) throw new ApiError(409, 'already_exists', `tenant_id: tenant ${tenantId} already exists`, 'tenant_id');
    sendJson(res, 201, toApiTenant(store.createTenant(tenantId, name, source as UserSource | null)));
  }

  /** Fires an armed schedule now: tests see a scheduled run without a schedule below the floor. */
  function fireSchedule(tenantId: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'POST') throw methodNotAllowed(req.method, `/__control/tenants/${tenantId}/sync-schedule:fire`, 'POST');
    tenantOr404(tenantId);
    if (!scheduler.fire(tenantId)) throw new ApiError(409, 'not_armed', `tenant ${tenantId}: has no enabled sync schedule to fire`);
    sendJson(res, 202, { fired: true, tenant_id: tenantId });
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://apaas.invalid');
    const path = url.pathname;
    if (path === '/healthz') {
      if (req.method !== 'GET') throw methodNotAllowed(req.method, path, 'GET');
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path.startsWith('/__control/')) {
      assertLoopbackCaller(req);
      if (path === '/__control/tenants') return controlTenants(req, res);
      const fire = FIRE_PATH.exec(path);
      if (fire) return fireSchedule(decodeURIComponent(fire[1]!), req, res);
      throw new ApiError(404, 'not_found', `path ${path}: no such control endpoint`);
    }
    if (path.startsWith('/api/')) return api(req, url, res);
    if (ctx.signin && (await ctx.signin.handle(req, url, res))) return;
    throw new ApiError(404, 'not_found', `path ${path}: no such endpoint; the API lives under /api/v1`);
  };
}
