// Test-side client for the emulated E-HR directory: the signed data API (written from
// docs/api/ehr-directory.md with node:crypto) and the emulator-only control endpoints.
import * as crypto from 'node:crypto';

export interface EhrAppKey {
  app_key: string;
  token: string;
  corps: string[] | '*';
}

export interface Department {
  id: string;
  name: string;
  parent_id: string | null;
  order: number;
  status: 'active' | 'dissolved';
  modified_at: string;
}

export interface Employee {
  id: string;
  username: string;
  name: string;
  email: string;
  department_id: string;
  title: string;
  status: 'active' | 'left';
  hired_at: string;
  left_at: string | null;
  modified_at: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page_index: number;
  page_size: number;
}

export interface Result<T> {
  status: number;
  body: T;
}

export function ehrHeaders(appKey: string, token: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const ts = String(timestamp);
  return {
    'EHR-DATA-APPKEY': appKey,
    'EHR-DATA-TIMESTAMP': ts,
    'EHR-DATA-SIGNATURE': crypto.createHash('sha256').update(appKey + ts + token).digest('hex'),
  };
}

async function asResult<T>(res: Response): Promise<Result<T>> {
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export class EhrControl {
  constructor(readonly ehrUrl: string) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<Result<T>> {
    const res = await fetch(`${this.ehrUrl}/__control${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return asResult<T>(res);
  }

  private async ok<T>(method: string, path: string, body: unknown, status: number): Promise<T> {
    const r = await this.call<T>(method, path, body);
    if (r.status !== status) throw new Error(`${method} /__control${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  createApp(corps: string[] | '*' = '*'): Promise<EhrAppKey> {
    return this.ok('POST', '/apps', { corps }, 201);
  }

  createCorp(corpKey: string, employees: number, seed: string | number = 1, name?: string) {
    return this.ok<{ corp_key: string; name: string; departments_total: number; employees_total: number }>(
      'POST',
      '/corps',
      { corp_key: corpKey, employees, seed, ...(name ? { name } : {}) },
      201,
    );
  }

  hire(corpKey: string, e: { name: string; department_id: string; username?: string; title?: string }): Promise<Employee> {
    return this.ok('POST', `/corps/${corpKey}/employees`, e, 201);
  }

  patchEmployee(corpKey: string, id: string, patch: Record<string, unknown>): Promise<Employee> {
    return this.ok('PATCH', `/corps/${corpKey}/employees/${id}`, patch, 200);
  }

  purgeEmployee(corpKey: string, id: string): Promise<undefined> {
    return this.ok('DELETE', `/corps/${corpKey}/employees/${id}`, undefined, 204);
  }

  addDepartment(corpKey: string, name: string, parentId: string): Promise<Department> {
    return this.ok('POST', `/corps/${corpKey}/departments`, { name, parent_id: parentId }, 201);
  }

  patchDepartment(corpKey: string, id: string, patch: Record<string, unknown>): Promise<Department> {
    return this.ok('PATCH', `/corps/${corpKey}/departments/${id}`, patch, 200);
  }

  purgeDepartment(corpKey: string, id: string): Promise<undefined> {
    return this.ok('DELETE', `/corps/${corpKey}/departments/${id}`, undefined, 204);
  }
}

export class EhrData {
  constructor(
    readonly ehrUrl: string,
    readonly app: EhrAppKey,
  ) {}

  get<T = unknown>(corpKey: string, path: string, query: Record<string, string | number> = {}, headers?: Record<string, string>): Promise<Result<T>> {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
    const url = `${this.ehrUrl}/c/${corpKey}/api/data/v1/${path}${qs.size ? `?${qs}` : ''}`;
    return fetch(url, { headers: headers ?? ehrHeaders(this.app.app_key, this.app.token) }).then((r) => asResult<T>(r));
  }

  async all<T>(corpKey: string, kind: 'departments' | 'employees', query: Record<string, string | number> = {}, pageSize = 1000): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const r = await this.get<Page<T>>(corpKey, kind, { ...query, page_index: page, page_size: pageSize });
      if (r.status !== 200) throw new Error(`GET ${kind}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      out.push(...r.body.items);
      if (r.body.items.length < pageSize) return out;
    }
  }
}
