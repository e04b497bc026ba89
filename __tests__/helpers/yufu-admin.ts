/** Direct calls to the emulator's Yufu admin API: the "someone changed it in the console" side of tests. */
import { readServiceAccount, signServiceAccountJwt } from './yufu-jwt';
import type { EmulatorInfo } from '../../scripts/lib/emulator';

export interface AdminApp {
  id: string;
  name: string;
  description: string;
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  issuer: string;
  well_known_url: string;
  [k: string]: unknown;
}

export class YufuAdmin {
  constructor(private readonly info: EmulatorInfo) {}

  private token(): string {
    return signServiceAccountJwt(readServiceAccount(this.info.service_account_file), { audience: this.info.admin_url });
  }

  async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.info.admin_url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token()}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async appsNamed(name: string): Promise<AdminApp[]> {
    const r = await this.call<{ items: AdminApp[] }>('GET', `/api/v1/oidc-apps?name=${encodeURIComponent(name)}`);
    if (r.status !== 200) throw new Error(`list apps: HTTP ${r.status}`);
    return r.body.items;
  }

  async listApps(): Promise<AdminApp[]> {
    const all: AdminApp[] = [];
    for (let page = 1; ; page++) {
      const r = await this.call<{ items: AdminApp[]; total: number }>('GET', `/api/v1/oidc-apps?page_size=100&page_index=${page}`);
      if (r.status !== 200) throw new Error(`list apps: HTTP ${r.status}`);
      all.push(...r.body.items);
      if (all.length >= r.body.total || r.body.items.length === 0) return all;
    }
  }

  async app(id: string): Promise<AdminApp | null> {
    const r = await this.call<AdminApp>('GET', `/api/v1/oidc-apps/${id}`);
    return r.status === 404 ? null : r.body;
  }

  async patch(id: string, body: Record<string, unknown>): Promise<AdminApp> {
    const r = await this.call<AdminApp>('PATCH', `/api/v1/oidc-apps/${id}`, body);
    if (r.status !== 200) throw new Error(`patch app: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

export interface YufuUser {
  id: string;
  username: string;
  name: string;
  email: string;
  created_at: string;
}

/**
 * Provisions a Yufu user through the emulator's loopback-only control endpoint
 * (docs/api/yufu-admin.md §7.1): what a Yufu administrator does when importing people
 * from the HR directory, so they can sign in at the IdP with this password.
 */
export async function putYufuUser(adminUrl: string, username: string, user: { name?: string; email?: string; password?: string }): Promise<YufuUser> {
  const res = await fetch(`${adminUrl}/__control/users/${encodeURIComponent(username)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  const body = (await res.json()) as YufuUser;
  if (res.status !== 200 && res.status !== 201) throw new Error(`PUT /__control/users/${username}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}
