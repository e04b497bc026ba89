/**
 * Client for the aPaaS user-management admin API (docs/api/apaas-admin.md),
 * TC3-HMAC-SHA256 signed.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ProviderError } from '../../runtime/diagnostics';
import { requestJson, ServiceError, type RetryPolicy } from './http';
import { claimantQuery, ownershipShape, type ClaimRequest } from './ownership';
import { signTc3, type Tc3Credentials } from './tc3';

const SERVICE = 'aPaaS admin API';
const SOURCES = ['hr_assistant', 'yufu', 'wecom', 'self_registration'] as const;

export const SOURCE_NAMES: Record<(typeof SOURCES)[number], string> = {
  hr_assistant: '腾讯 HR 助手 (hr_assistant)',
  yufu: '千帆玉符 (yufu)',
  wecom: '企业微信 (wecom)',
  self_registration: '自行注册 (self_registration)',
};

export const credentialsSchema = z.object({ secretId: z.string().min(1), secretKey: z.string().min(1) });

const countsSchema = z.object({
  departments_added: z.number().int(),
  departments_updated: z.number().int(),
  departments_disabled: z.number().int(),
  users_added: z.number().int(),
  users_updated: z.number().int(),
  users_disabled: z.number().int(),
  departments_total: z.number().int(),
  users_total: z.number().int(),
  users_active: z.number().int(),
});

export const runSchema = z.object({
  id: z.string(),
  tenant_id: z.string(),
  trigger: z.enum(['initial', 'schedule', 'manual']),
  mode: z.enum(['full', 'incremental']),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  queued_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  counts: countsSchema,
  error: z.string().nullable(),
});
export type SyncRun = z.infer<typeof runSchema>;

export const tenantSchema = z.object({
  tenant_id: z.string(),
  name: z.string().optional(),
  user_source: z.enum(SOURCES).nullable(),
  initialized_at: z.string().nullable(),
  source_switches_left: z.number().int(),
});
export type Tenant = z.infer<typeof tenantSchema>;

const tenantListSchema = z.object({ items: z.array(tenantSchema), total: z.number().int() });

export const connectorSchema = z.object({
  tenant_id: z.string(),
  user_source: z.enum(SOURCES).nullable(),
  initialized_at: z.string().nullable(),
  corp_key: z.string(),
  well_known_url: z.string(),
  client_id: z.string(),
  client_secret_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  status: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  ...ownershipShape,
  initial_run_id: z.string().nullable().optional(),
  last_run: runSchema.nullable().optional(),
});
export type Connector = z.infer<typeof connectorSchema>;

export const scheduleSchema = z.object({
  tenant_id: z.string(),
  cron: z.string(),
  time_zone: z.string(),
  mode: z.enum(['full', 'incremental']),
  enabled: z.boolean(),
  next_run_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  ...ownershipShape,
  last_run: runSchema.nullable().optional(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

const deleteConnectorSchema = z.object({
  deleted: z.boolean(),
  user_source: z.string().nullable(),
  retained: z.array(z.string()),
});

export interface ConnectorInput {
  corp_key: string;
  well_known_url: string;
  client_id: string;
  client_secret: string;
}

export interface ScheduleInput {
  cron: string;
  time_zone: string;
  mode: 'full' | 'incremental';
  enabled: boolean;
}

/** A create-only PUT under a creation key; 412 (it exists) is an answer, not a failure. */
function createOnly(createKey: string | undefined): { headers?: Record<string, string>; accept?: number[] } {
  return createKey === undefined ? {} : { headers: { 'if-none-match': '*', 'idempotency-key': createKey }, accept: [412] };
}

const claimBody = (claim: ClaimRequest) => ({ claimant: claim.claimant, previous_claimant: claim.previousClaimant });

export const secretSha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

export class ApaasClient {
  constructor(
    private readonly options: { baseUrl: URL; credentials: Tc3Credentials; timeoutMs: number; retry?: RetryPolicy },
  ) {}

  private async call<T>(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    path: string,
    opts: {
      body?: unknown;
      schema?: z.ZodType<T>;
      accept?: number[];
      signal?: AbortSignal;
      query?: Record<string, string>;
      /** Extra headers (not signed: TC3 signs content-type and host only). */
      headers?: Record<string, string>;
      /** A POST whose repetition has the same effect (a claim: same claimant, same result). */
      idempotent?: boolean;
    } = {},
  ) {
    const url = new URL(this.options.baseUrl.href.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const body = opts.body === undefined ? '' : JSON.stringify(opts.body);
    const contentType = 'application/json';
    // Signed per attempt: the signature covers a timestamp.
    const headers = () => {
      const { authorization, timestamp } = signTc3({ method, url, body, contentType }, this.options.credentials, 'apaas', Math.floor(Date.now() / 1000));
      return { authorization, 'x-tc-timestamp': timestamp, 'content-type': contentType, ...opts.headers };
    };
    try {
      return await requestJson({
        service: SERVICE,
        method,
        url,
        headers,
        idempotent: opts.idempotent,
        retry: this.options.retry,
        rawBody: body,
        schema: opts.schema,
        accept: opts.accept,
        timeoutMs: this.options.timeoutMs,
        signal: opts.signal,
      });
    } catch (error) {
      if (error instanceof ServiceError && error.status === 401) {
        const hint =
          error.code === 'AuthFailure.SignatureExpire'
            ? "this machine's clock differs from the service's by more than 5 minutes: fix the clock (NTP)"
            : error.code === 'AuthFailure.SecretIdNotFound'
              ? 'the SecretId is not known to aPaaS: check QIANFAN_APAAS_SECRET_ID or the credentials file'
              : 'the signature did not verify: check that the SecretKey belongs to the SecretId (QIANFAN_APAAS_SECRET_KEY or the credentials file)';
        throw new ProviderError(
          'aPaaS rejected the API credentials',
          `${error.detail}\n\nSecretId ${this.options.credentials.secretId}: ${hint}.`,
        );
      }
      throw error;
    }
  }

  private tenantPath(tenantId: string, rest = ''): string {
    return `/api/v1/tenants/${encodeURIComponent(tenantId)}${rest}`;
  }

  /**
   * Tenants are read by refresh and again by plan in the same process; the answer is
   * kept for the process (one Terraform phase) and dropped when this client writes.
   */
  private readonly tenants = new Map<string, Promise<Tenant | null>>();

  getTenant(tenantId: string, signal?: AbortSignal): Promise<Tenant | null> {
    let cached = this.tenants.get(tenantId);
    if (!cached) {
      cached = this.call('GET', this.tenantPath(tenantId), { schema: tenantSchema, accept: [404], signal }).then((r) =>
        r.status === 404 ? null : (r.body as Tenant),
      );
      cached.catch(() => this.tenants.delete(tenantId));
      this.tenants.set(tenantId, cached);
    }
    return cached;
  }

  /** One page of the tenants these credentials see (§2), ordered by id; read-only. */
  async listTenants(pageIndex: number, pageSize: number, signal?: AbortSignal): Promise<{ items: Tenant[]; total: number }> {
    const r = await this.call('GET', '/api/v1/tenants', {
      schema: tenantListSchema,
      query: { page_index: String(pageIndex), page_size: String(pageSize) },
      signal,
    });
    return r.body as z.infer<typeof tenantListSchema>;
  }

  /**
   * Saves the connector. With `createKey`, only creates (If-None-Match: *) under that
   * creation key (ownership.md §2) and answers null when the tenant already has one.
   */
  async putConnector(tenantId: string, input: ConnectorInput, signal?: AbortSignal, createKey?: string): Promise<Connector | null> {
    this.tenants.delete(tenantId);
    const r = await this.call('PUT', this.tenantPath(tenantId, '/hr-connector'), {
      body: input,
      schema: connectorSchema,
      signal,
      ...createOnly(createKey),
    });
    this.tenants.delete(tenantId);
    return r.status === 412 ? null : (r.body as Connector);
  }

  async claimConnector(tenantId: string, claim: ClaimRequest, signal?: AbortSignal): Promise<Connector> {
    const r = await this.call('POST', this.tenantPath(tenantId, '/hr-connector:claim'), { body: claimBody(claim), schema: connectorSchema, signal, idempotent: true });
    return r.body as Connector;
  }

  async getConnector(tenantId: string, signal?: AbortSignal): Promise<Connector | null> {
    const r = await this.call('GET', this.tenantPath(tenantId, '/hr-connector'), { schema: connectorSchema, accept: [404], signal });
    return r.status === 404 ? null : (r.body as Connector);
  }

  /** Deletes the connector if `claimant` holds it (null: only if unclaimed). */
  async deleteConnector(
    tenantId: string,
    claimant: string | null,
    signal?: AbortSignal,
  ): Promise<z.infer<typeof deleteConnectorSchema> | 'gone' | 'not-ours'> {
    this.tenants.delete(tenantId);
    const r = await this.call('DELETE', this.tenantPath(tenantId, '/hr-connector'), {
      schema: deleteConnectorSchema,
      accept: [404, 412],
      query: claimantQuery(claimant),
      signal,
    });
    return r.status === 404 ? 'gone' : r.status === 412 ? 'not-ours' : (r.body as z.infer<typeof deleteConnectorSchema>);
  }

  async getRun(tenantId: string, runId: string, signal?: AbortSignal): Promise<SyncRun> {
    const r = await this.call('GET', this.tenantPath(tenantId, `/sync-runs/${encodeURIComponent(runId)}`), { schema: runSchema, signal });
    return r.body as SyncRun;
  }

  async startRun(tenantId: string, mode: 'full' | 'incremental', signal?: AbortSignal): Promise<SyncRun> {
    const r = await this.call('POST', this.tenantPath(tenantId, '/sync-runs'), { body: { mode }, schema: runSchema, signal });
    return r.body as SyncRun;
  }

  /** Saves the schedule; with `createKey`, only creates (null when one exists), as putConnector. */
  async putSchedule(tenantId: string, input: ScheduleInput, signal?: AbortSignal, createKey?: string): Promise<Schedule | null> {
    const r = await this.call('PUT', this.tenantPath(tenantId, '/sync-schedule'), { body: input, schema: scheduleSchema, signal, ...createOnly(createKey) });
    return r.status === 412 ? null : (r.body as Schedule);
  }

  async claimSchedule(tenantId: string, claim: ClaimRequest, signal?: AbortSignal): Promise<Schedule> {
    const r = await this.call('POST', this.tenantPath(tenantId, '/sync-schedule:claim'), { body: claimBody(claim), schema: scheduleSchema, signal, idempotent: true });
    return r.body as Schedule;
  }

  async getSchedule(tenantId: string, signal?: AbortSignal): Promise<Schedule | null> {
    const r = await this.call('GET', this.tenantPath(tenantId, '/sync-schedule'), { schema: scheduleSchema, accept: [404], signal });
    return r.status === 404 ? null : (r.body as Schedule);
  }

  /** Deletes the schedule if `claimant` holds it (null: only if unclaimed). */
  async deleteSchedule(tenantId: string, claimant: string | null, signal?: AbortSignal): Promise<'deleted' | 'gone' | 'not-ours'> {
    const r = await this.call('DELETE', this.tenantPath(tenantId, '/sync-schedule'), { accept: [404, 412], query: claimantQuery(claimant), signal });
    return r.status === 404 ? 'gone' : r.status === 412 ? 'not-ours' : 'deleted';
  }
}
