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

  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.info.admin_url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
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
