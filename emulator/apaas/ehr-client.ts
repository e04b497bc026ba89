// The emulated aPaaS platform's client for the E-HR data API (docs/api/ehr-directory.md):
// real HTTP, signature headers, base URL from a `{corpKey}` template, so pointing it at
// `https://ehrnew-{corpKey}.ihr.tencent-cloud.com` would be configuration.
import { Agent, request } from 'undici';
import { z } from 'zod';
import { ehrSignedHeaders } from '../ehr/signature';

const department = z.object({
  id: z.string().min(1),
  name: z.string(),
  parent_id: z.string().nullable(),
  order: z.number().int(),
  status: z.enum(['active', 'dissolved']),
  modified_at: z.string(),
});

const employee = z.object({
  id: z.string().min(1),
  username: z.string(),
  name: z.string(),
  email: z.string(),
  department_id: z.string(),
  title: z.string(),
  status: z.enum(['active', 'left']),
  hired_at: z.string(),
  left_at: z.string().nullable(),
  modified_at: z.string(),
});

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int().nonnegative(), page_index: z.number().int(), page_size: z.number().int() });

const departmentsPage = page(department);
const employeesPage = page(employee);
const corpSummary = z.object({ corp_key: z.string(), name: z.string(), departments_total: z.number(), employees_total: z.number() });

export type EhrDepartmentItem = z.infer<typeof department>;
export type EhrEmployeeItem = z.infer<typeof employee>;
export type EhrCorpSummary = z.infer<typeof corpSummary>;

/** A non-2xx answer (or an unusable one) from the data API. */
export class EhrClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EhrClientError';
  }
}

export interface EhrClientOptions {
  /** e.g. `http://127.0.0.1:4000/c/{corpKey}` or `https://ehrnew-{corpKey}.ihr.tencent-cloud.com`. */
  baseUrlTemplate: string;
  appKey: string;
  token: string;
  timeoutMs?: number;
}

export class EhrClient {
  private readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(private readonly options: EhrClientOptions) {
    if (!options.baseUrlTemplate.includes('{corpKey}')) throw new Error('E-HR base URL template must contain {corpKey}');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.agent = new Agent({ keepAliveTimeout: 4_000, connections: 4, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
  }

  baseUrl(corpKey: string): string {
    return this.options.baseUrlTemplate.replace('{corpKey}', encodeURIComponent(corpKey));
  }

  private async get(corpKey: string, path: string, query: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<unknown> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, v);
    const url = `${this.baseUrl(corpKey)}${path}${qs.size > 0 ? `?${qs}` : ''}`;
    let res;
    try {
      res = await request(url, {
        method: 'GET',
        dispatcher: this.agent,
        headers: { accept: 'application/json', ...ehrSignedHeaders(this.options.appKey, this.options.token) },
        signal,
      });
    } catch (err) {
      throw new EhrClientError(0, 'unavailable', `GET ${path} for corp ${corpKey}: ${(err as Error).message}`);
    }
    const text = await res.body.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new EhrClientError(res.statusCode, 'bad_response', `GET ${path} for corp ${corpKey}: HTTP ${res.statusCode} with a body that is not JSON`);
    }
    if (res.statusCode !== 200) {
      const err = (body as { error?: { code?: unknown; message?: unknown } }).error;
      const code = typeof err?.code === 'string' ? err.code : 'http_error';
      const message = typeof err?.message === 'string' ? err.message : `HTTP ${res.statusCode}`;
      throw new EhrClientError(res.statusCode, code, `GET ${path} for corp ${corpKey}: HTTP ${res.statusCode} ${code}: ${message}`);
    }
    return body;
  }

  async corp(corpKey: string, signal?: AbortSignal): Promise<EhrCorpSummary> {
    return this.parse(corpSummary, await this.get(corpKey, '/api/data/v1/corp', {}, signal), 'corp');
  }

  async departments(corpKey: string, q: { pageIndex: number; pageSize: number; modifiedSince?: string }, signal?: AbortSignal) {
    const body = await this.get(corpKey, '/api/data/v1/departments', this.listQuery(q), signal);
    return this.parse(departmentsPage, body, 'departments');
  }

  async employees(corpKey: string, q: { pageIndex: number; pageSize: number; modifiedSince?: string }, signal?: AbortSignal) {
    const body = await this.get(corpKey, '/api/data/v1/employees', this.listQuery(q), signal);
    return this.parse(employeesPage, body, 'employees');
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private listQuery(q: { pageIndex: number; pageSize: number; modifiedSince?: string }): Record<string, string | undefined> {
    return { page_index: String(q.pageIndex), page_size: String(q.pageSize), modified_since: q.modifiedSince };
  }

  private parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EhrClientError(200, 'bad_response', `${what}: unexpected response shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    }
    return parsed.data;
  }
}
