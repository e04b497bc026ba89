// E-HR directory data API and the emulator-only control endpoints, as specified in
// docs/api/ehr-directory.md. One handler for the whole listener, so cross-cutting
// behaviour (fault injection) can wrap it in one place.
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import { ApiError, assertLoopbackCaller, describeJsonType, methodNotAllowed, parseIntParam, readJsonObject, sendJson, sendNoContent, type Handler } from '../http';
import { MAX_SEED_EMPLOYEES } from './seed';
import { ehrSignature, MAX_SKEW_SECONDS } from './signature';
import type { EhrApp, EhrStore, ListKind } from './store';

export const CORP_KEY = /^[a-z0-9]{1,63}$/;
const DATA_PATH = /^\/c\/([^/]+)\/api\/data\/v1\/(corp|departments|employees)$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const CONTROL_CHARS = /\p{Cc}/u;

export interface EhrApiContext {
  store: EhrStore;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const unauthenticated = (message: string): ApiError => new ApiError(401, 'unauthenticated', message);

/** Checks the three EHR-DATA-* headers; the message says which check failed, never the token. */
export function authenticate(req: http.IncomingMessage, store: EhrStore, nowSeconds = Math.floor(Date.now() / 1000)): EhrApp {
  const appKey = header(req, 'ehr-data-appkey');
  const timestamp = header(req, 'ehr-data-timestamp');
  const signature = header(req, 'ehr-data-signature');
  const missing = [
    appKey ? undefined : 'EHR-DATA-APPKEY',
    timestamp ? undefined : 'EHR-DATA-TIMESTAMP',
    signature ? undefined : 'EHR-DATA-SIGNATURE',
  ].filter((h) => h !== undefined);
  if (missing.length > 0) throw unauthenticated(`missing header ${missing.join(', ')}; expected EHR-DATA-APPKEY, EHR-DATA-TIMESTAMP and EHR-DATA-SIGNATURE`);
  if (!/^[0-9]{1,12}$/.test(timestamp!)) {
    throw unauthenticated(`EHR-DATA-TIMESTAMP: got ${JSON.stringify(timestamp!.slice(0, 32))}; expected unix time in seconds`);
  }
  const skew = nowSeconds - Number(timestamp);
  if (Math.abs(skew) > MAX_SKEW_SECONDS) {
    throw unauthenticated(
      `EHR-DATA-TIMESTAMP: ${timestamp} is ${Math.abs(skew)} s ${skew > 0 ? 'in the past' : 'in the future'}; expected within ${MAX_SKEW_SECONDS} s of the server clock (unix seconds)`,
    );
  }
  const app = store.app(appKey!);
  if (!app) throw unauthenticated(`EHR-DATA-APPKEY: app key ${JSON.stringify(appKey!.slice(0, 64))} is not known`);
  const expected = Buffer.from(ehrSignature(app.app_key, timestamp!, app.token), 'hex');
  const got = /^[0-9a-fA-F]{64}$/.test(signature!) ? Buffer.from(signature!, 'hex') : Buffer.alloc(0);
  if (got.length !== expected.length || !crypto.timingSafeEqual(got, expected)) {
    throw unauthenticated('EHR-DATA-SIGNATURE: does not match; expected hex(sha256(appkey + timestamp + token)) with the token of this app key');
  }
  return app;
}

function parseModifiedSince(raw: string | null): string | undefined {
  if (raw === null || raw === '') return undefined;
  // An unencoded '+' in a query string arrives as a space; accept the offset anyway.
  const value = raw.replace(/ (\d{2}:\d{2})$/, '+$1');
  const m = RFC3339.exec(value);
  const ms = m ? Date.parse(value.replace(' ', 'T')) : NaN;
  if (!m || Number.isNaN(ms)) {
    throw new ApiError(400, 'invalid_argument', `modified_since: got ${JSON.stringify(raw.slice(0, 64))}; expected an RFC 3339 date-time such as 2025-01-31T08:00:00Z`, 'modified_since');
  }
  return new Date(ms).toISOString();
}

// --- control-endpoint input checks ---------------------------------------------------

const invalid = (field: string, message: string): ApiError => new ApiError(400, 'invalid_argument', message, field);

function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw new ApiError(400, 'unknown_field', `${key}: unknown field; expected only: ${allowed.join(', ')}`, key);
  }
}

function text(body: Record<string, unknown>, field: string, opts: { required: boolean; max: number; pattern?: RegExp; hint?: string }): string | undefined {
  const v = body[field];
  if (v === undefined) {
    if (opts.required) throw invalid(field, `${field}: missing; expected ${opts.hint ?? 'a string'}`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalid(field, `${field}: got ${describeJsonType(v)}; expected ${opts.hint ?? 'a string'}`);
  const length = [...v].length;
  if (length < 1 || length > opts.max || CONTROL_CHARS.test(v) || (opts.pattern && !opts.pattern.test(v))) {
    throw invalid(field, `${field}: got ${JSON.stringify(v.slice(0, 80))}; expected ${opts.hint ?? `1 to ${opts.max} characters without control characters`}`);
  }
  return v;
}

export function createEhrHandler(ctx: EhrApiContext): Handler {
  const { store } = ctx;

  function corpOr404(corpKey: string): void {
    if (!store.corp(corpKey)) throw new ApiError(404, 'corp_not_found', `corp key ${JSON.stringify(corpKey)}: no such company in the HR directory`);
  }

  function serveData(corpKey: string, what: 'corp' | ListKind, req: http.IncomingMessage, url: URL, res: http.ServerResponse): void {
    if (req.method !== 'GET') throw methodNotAllowed(req.method, url.pathname, 'GET');
    const app = authenticate(req, store);
    if (app.corps !== '*' && !app.corps.includes(corpKey)) {
      throw new ApiError(403, 'forbidden', `app key ${app.app_key} is not authorised for corp key ${JSON.stringify(corpKey)}`);
    }
    if (!CORP_KEY.test(corpKey)) throw new ApiError(404, 'corp_not_found', `corp key ${JSON.stringify(corpKey.slice(0, 64))}: no such company in the HR directory`);
    corpOr404(corpKey);
    if (what === 'corp') {
      sendJson(res, 200, store.summary(corpKey));
      return;
    }
    const pageIndex = parseIntParam('page_index', url.searchParams.get('page_index'), 1, 1, 10_000_000);
    const pageSize = parseIntParam('page_size', url.searchParams.get('page_size'), 100, 1, 1000);
    const modifiedSince = parseModifiedSince(url.searchParams.get('modified_since'));
    const { items, total } = store.list(what, corpKey, { modifiedSince, offset: (pageIndex - 1) * pageSize, limit: pageSize });
    sendJson(res, 200, { items, total, page_index: pageIndex, page_size: pageSize });
  }

  function existingDepartment(corpKey: string, field: string, id: string): void {
    const dept = store.department(corpKey, id);
    if (!dept) throw invalid(field, `${field}: department ${JSON.stringify(id)} does not exist in corp ${corpKey}`);
    if (dept.status !== 'active') throw invalid(field, `${field}: department ${id} is ${dept.status}; expected an active department`);
  }

  async function control(path: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? '';
    if (path === '/__control/apps') {
      if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
      const body = (await readJsonObject(req)) ?? {};
      onlyFields(body, ['corps', 'label']);
      const corps = body.corps ?? '*';
      if (corps !== '*' && !(Array.isArray(corps) && corps.every((c) => typeof c === 'string' && CORP_KEY.test(c)))) {
        throw invalid('corps', `corps: got ${JSON.stringify(corps)}; expected "*" or an array of corp keys`);
      }
      const label = text(body, 'label', { required: false, max: 64 }) ?? 'test';
      sendJson(res, 201, store.createApp(corps as string[] | '*', label));
      return;
    }
    if (path === '/__control/corps') {
      if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
      const body = (await readJsonObject(req)) ?? {};
      onlyFields(body, ['corp_key', 'name', 'employees', 'seed']);
      const corpKey = text(body, 'corp_key', { required: true, max: 63, pattern: CORP_KEY, hint: 'lowercase letters and digits, 1 to 63 characters' })!;
      const name = text(body, 'name', { required: false, max: 100 }) ?? `${corpKey} 演示公司`;
      const employees = body.employees ?? 200;
      if (typeof employees !== 'number' || !Number.isInteger(employees) || employees < 0 || employees > MAX_SEED_EMPLOYEES) {
        throw invalid('employees', `employees: got ${JSON.stringify(employees)}; expected an integer from 0 to ${MAX_SEED_EMPLOYEES}`);
      }
      const seed = body.seed ?? '1';
      if ((typeof seed !== 'string' && typeof seed !== 'number') || String(seed).length > 64) {
        throw invalid('seed', `seed: got ${JSON.stringify(seed)}; expected a number or a string of at most 64 characters`);
      }
      if (store.corp(corpKey)) throw new ApiError(409, 'already_exists', `corp_key: corp ${corpKey} already exists`, 'corp_key');
      sendJson(res, 201, store.createCorp(corpKey, name, employees, String(seed)));
      return;
    }
    const m = /^\/__control\/corps\/([^/]+)(?:\/(employees|departments)(?:\/([^/]+))?)?$/.exec(path);
    if (!m) throw new ApiError(404, 'not_found', `path ${path}: no such control endpoint`);
    const corpKey = decodeURIComponent(m[1]!);
    corpOr404(corpKey);
    const kind = m[2] as ListKind | undefined;
    const id = m[3] === undefined ? undefined : decodeURIComponent(m[3]);

    if (kind === undefined) {
      if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
      sendJson(res, 200, store.summary(corpKey));
      return;
    }
    if (id === undefined) {
      if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
      const body = (await readJsonObject(req)) ?? {};
      if (kind === 'employees') {
        onlyFields(body, ['username', 'name', 'email', 'department_id', 'title']);
        const username = text(body, 'username', { required: false, max: 64, pattern: /^[a-z0-9][a-z0-9._-]*$/, hint: 'lowercase letters, digits, ".", "_" or "-"' });
        const name = text(body, 'name', { required: true, max: 64 })!;
        const email = text(body, 'email', { required: false, max: 254, pattern: /^[^@\s]+@[^@\s]+$/, hint: 'an email address' });
        const departmentId = text(body, 'department_id', { required: true, max: 16 })!;
        const title = text(body, 'title', { required: false, max: 64 });
        existingDepartment(corpKey, 'department_id', departmentId);
        if (username !== undefined && store.usernameTaken(corpKey, username)) {
          throw new ApiError(409, 'already_exists', `username: ${username} is already taken in corp ${corpKey}`, 'username');
        }
        sendJson(res, 201, store.addEmployee(corpKey, { username, name, email, department_id: departmentId, title }));
      } else {
        onlyFields(body, ['name', 'parent_id']);
        const name = text(body, 'name', { required: true, max: 64 })!;
        const parentId = text(body, 'parent_id', { required: true, max: 16 })!;
        existingDepartment(corpKey, 'parent_id', parentId);
        sendJson(res, 201, store.addDepartment(corpKey, name, parentId));
      }
      return;
    }

    if (kind === 'employees') {
      if (!store.employee(corpKey, id)) throw new ApiError(404, 'not_found', `employee ${JSON.stringify(id)}: not found in corp ${corpKey}`);
      if (method === 'DELETE') {
        store.deleteEmployee(corpKey, id);
        sendNoContent(res);
        return;
      }
      if (method !== 'PATCH') throw methodNotAllowed(method, path, 'PATCH, DELETE');
      const body = (await readJsonObject(req)) ?? {};
      onlyFields(body, ['status', 'department_id', 'name', 'title', 'email', 'username']);
      const status = body.status;
      if (status !== undefined && status !== 'left' && status !== 'active') {
        throw invalid('status', `status: got ${JSON.stringify(status)}; expected "left" or "active"`);
      }
      const departmentId = text(body, 'department_id', { required: false, max: 16 });
      if (departmentId !== undefined) existingDepartment(corpKey, 'department_id', departmentId);
      const username = text(body, 'username', { required: false, max: 64, pattern: /^[a-z0-9][a-z0-9._-]*$/, hint: 'lowercase letters, digits, ".", "_" or "-"' });
      if (username !== undefined && store.usernameTaken(corpKey, username, id)) {
        throw new ApiError(409, 'already_exists', `username: ${username} is already taken in corp ${corpKey}`, 'username');
      }
      const patch = {
        status: status as 'left' | 'active' | undefined,
        department_id: departmentId,
        name: text(body, 'name', { required: false, max: 64 }),
        title: text(body, 'title', { required: false, max: 64 }),
        email: text(body, 'email', { required: false, max: 254, pattern: /^[^@\s]+@[^@\s]+$/, hint: 'an email address' }),
        username,
      };
      sendJson(res, 200, store.updateEmployee(corpKey, id, patch));
      return;
    }

    const dept = store.department(corpKey, id);
    if (!dept) throw new ApiError(404, 'not_found', `department ${JSON.stringify(id)}: not found in corp ${corpKey}`);
    if (method === 'DELETE') {
      const use = store.departmentInUse(corpKey, id);
      if (use.children > 0 || use.employees > 0) {
        throw new ApiError(409, 'in_use', `department ${id} still has ${use.children} sub-departments and ${use.employees} employees; move or delete them first`);
      }
      store.deleteDepartment(corpKey, id);
      sendNoContent(res);
      return;
    }
    if (method !== 'PATCH') throw methodNotAllowed(method, path, 'PATCH, DELETE');
    const body = (await readJsonObject(req)) ?? {};
    onlyFields(body, ['name', 'parent_id', 'status']);
    const status = body.status;
    if (status !== undefined && status !== 'dissolved' && status !== 'active') {
      throw invalid('status', `status: got ${JSON.stringify(status)}; expected "dissolved" or "active"`);
    }
    const parentId = text(body, 'parent_id', { required: false, max: 16 });
    if (parentId !== undefined) {
      existingDepartment(corpKey, 'parent_id', parentId);
      for (let p: string | null = parentId; p !== null; p = store.department(corpKey, p)?.parent_id ?? null) {
        if (p === id) throw invalid('parent_id', `parent_id: ${parentId} is ${id} itself or below it; expected a department outside its subtree`);
      }
    }
    sendJson(res, 200, store.updateDepartment(corpKey, id, { name: text(body, 'name', { required: false, max: 64 }), parent_id: parentId, status: status as 'dissolved' | 'active' | undefined }));
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://ehr.invalid');
    const path = url.pathname;
    if (path === '/healthz') {
      if (req.method !== 'GET') throw methodNotAllowed(req.method, path, 'GET');
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    const data = DATA_PATH.exec(path);
    if (data) {
      serveData(decodeURIComponent(data[1]!), data[2] as 'corp' | ListKind, req, url, res);
      return;
    }
    if (path.startsWith('/__control/')) {
      assertLoopbackCaller(req);
      return control(path, req, res);
    }
    throw new ApiError(404, 'not_found', `path ${path}: no such endpoint; the data API lives under /c/{corpKey}/api/data/v1/`);
  };
}
