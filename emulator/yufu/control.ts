// Emulator-only control endpoints of the Yufu admin listener (docs/api/yufu-admin.md §7.1):
// loopback callers only, no service-account token. They stand in for what a Yufu
// administrator does in the console's 用户管理, e.g. provisioning the company's people
// (from the HR directory) so they can sign in at the IdP.
import type * as http from 'node:http';
import { ApiError, assertLoopbackCaller, describeJsonType, methodNotAllowed, readJsonObject, sendJson } from '../http';
import type { Tenant, YufuStore } from './store';

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const CONTROL_CHARS = /\p{Cc}/u;
const USER_PATH = /^\/__control\/users\/([^/]+)$/;
const USER_FIELDS = ['name', 'email', 'password'] as const;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

const invalid = (field: string, message: string): ApiError => new ApiError(400, 'invalid_argument', message, field);

function optionalText(body: Record<string, unknown>, field: string, max: number, hint: string): string | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(field, `${field}: got ${describeJsonType(v)}; expected ${hint}`);
  const length = [...v].length;
  if (length < 1 || length > max || CONTROL_CHARS.test(v)) {
    // The password is never echoed, only its length.
    const got = field === 'password' ? `${length} characters` : JSON.stringify(v.slice(0, 80));
    throw invalid(field, `${field}: got ${got}; expected ${hint}`);
  }
  return v;
}

function toControlUser(u: { id: string; username: string; name: string; email: string; created_at: string }) {
  return { id: u.id, username: u.username, name: u.name, email: u.email, created_at: u.created_at };
}

export interface ControlContext {
  store: YufuStore;
  tenant: Tenant;
}

/** Handles `/__control/…`; the caller has checked the path prefix. */
export async function handleControl(ctx: ControlContext, path: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  assertLoopbackCaller(req);
  const { store, tenant } = ctx;
  const m = USER_PATH.exec(path);
  if (!m) throw new ApiError(404, 'not_found', `path ${path}: no such control endpoint; users are at /__control/users/{username}`);
  const username = decodeURIComponent(m[1]!);
  if (!USERNAME.test(username)) {
    throw invalid('username', `username: got ${JSON.stringify(username.slice(0, 80))}; expected 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`);
  }
  const method = req.method ?? '';
  if (method === 'GET') {
    const user = store.userByUsername(tenant.id, username);
    if (!user) throw new ApiError(404, 'not_found', `user ${JSON.stringify(username)}: not found in tenant tn-${tenant.id}`);
    sendJson(res, 200, toControlUser(user));
    return;
  }
  if (method !== 'PUT') throw methodNotAllowed(method, path, 'GET, PUT');

  const body = (await readJsonObject(req, 64 * 1024)) ?? {};
  for (const key of Object.keys(body)) {
    if (!(USER_FIELDS as readonly string[]).includes(key)) {
      throw new ApiError(400, 'unknown_field', `${key}: unknown field; expected only: ${USER_FIELDS.join(', ')} (the username is the last path segment)`, key);
    }
  }
  const existing = store.userByUsername(tenant.id, username);
  const name = optionalText(body, 'name', 64, '1 to 64 characters without control characters');
  const email = optionalText(body, 'email', 254, 'an e-mail address of at most 254 characters');
  if (email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(email)) throw invalid('email', `email: got ${JSON.stringify(email.slice(0, 80))}; expected an address like name@example.com`);
  const password = optionalText(body, 'password', PASSWORD_MAX, `${PASSWORD_MIN} to ${PASSWORD_MAX} characters without control characters`);
  if (password !== undefined && [...password].length < PASSWORD_MIN) {
    throw invalid('password', `password: got ${[...password].length} characters; expected ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  }
  if (!existing) {
    if (name === undefined) throw invalid('name', 'name: missing; expected the display name (1 to 64 characters) for a new user');
    if (password === undefined) throw invalid('password', `password: missing; expected ${PASSWORD_MIN} to ${PASSWORD_MAX} characters for a new user`);
  }
  const { user, created } = store.putUser(tenant.id, {
    username,
    name: name ?? existing!.name,
    email: email ?? existing?.email ?? `${username}@${tenant.domain}.example.com`,
    password,
  });
  sendJson(res, created ? 201 : 200, toControlUser(user));
}
