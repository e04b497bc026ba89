/**
 * Client for the Yufu (千帆玉符) admin API, written against docs/api/yufu-admin.md.
 * Authenticates as a service account: a short-lived RS256 JWT per process.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ProviderError } from '../../runtime/diagnostics';
import { requestJson, ServiceError, type RetryPolicy } from './http';
import { claimantQuery, ownershipShape, type ClaimRequest } from './ownership';
import { RESPONSE_LIMITS } from './limits';

export const serviceAccountSchema = z.object({
  clientId: z.string().min(1),
  privateKey: z
    .object({ kty: z.literal('RSA'), kid: z.string().min(1), n: z.string(), e: z.string(), d: z.string() })
    .loose(),
});
export type ServiceAccount = z.infer<typeof serviceAccountSchema>;

export const appSchema = z.object({
  id: z.string().min(1),
  client_id: z.string().regex(/^ai-[0-9a-f]{32}$/),
  client_secret: z.string().min(1),
  name: z.string(),
  description: z.string(),
  application_type: z.string(),
  redirect_uris: z.array(z.string()),
  post_logout_redirect_uris: z.array(z.string()),
  grant_types: z.array(z.string()),
  scopes: z.array(z.string()),
  require_pkce: z.boolean(),
  access_token_lifetime: z.number().int(),
  id_token_lifetime: z.number().int(),
  refresh_token_lifetime: z.number().int(),
  issuer: z.string().url(),
  well_known_url: z.string().url(),
  client_secret_version: z.number().int().nullable(),
  ...ownershipShape,
  created_at: z.string(),
  updated_at: z.string(),
});
export type YufuApp = z.infer<typeof appSchema>;

export type AppInput = Pick<
  YufuApp,
  | 'name'
  | 'description'
  | 'application_type'
  | 'redirect_uris'
  | 'post_logout_redirect_uris'
  | 'grant_types'
  | 'scopes'
  | 'require_pkce'
  | 'access_token_lifetime'
  | 'id_token_lifetime'
  | 'refresh_token_lifetime'
>;

const listSchema = z.object({
  items: z.array(appSchema),
  total: z.number().int(),
  page_index: z.number().int(),
  page_size: z.number().int(),
});

export interface YufuClientOptions {
  adminUrl: URL;
  serviceAccount: ServiceAccount;
  /** The JWT audience; the admin base URL unless the tenant says otherwise. */
  audience: string;
  timeoutMs: number;
  retry?: RetryPolicy;
}

const SERVICE = 'Yufu admin API';

export class YufuAdminClient {
  private token: { value: string; expiresAt: number } | undefined;

  constructor(private readonly options: YufuClientOptions) {}

  private async bearer(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    if (this.token && this.token.expiresAt - 60 > now) return this.token.value;
    const { SignJWT, importJWK } = await import('jose');
    const { serviceAccount, audience } = this.options;
    let key;
    try {
      key = await importJWK(serviceAccount.privateKey, 'RS256');
    } catch {
      throw new ProviderError(
        'Unusable Yufu service-account key',
        `the privateKey of service account ${serviceAccount.clientId} is not a valid RSA private JWK; download the service-account file again from the Yufu console`,
      );
    }
    const expiresAt = now + 600;
    const value = await new SignJWT({ account_type: 'serviceAccount' })
      .setProtectedHeader({ alg: 'RS256', kid: serviceAccount.privateKey.kid, typ: 'JWT' })
      .setIssuer(serviceAccount.clientId)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(key);
    this.token = { value, expiresAt };
    return value;
  }

  private url(path: string, query?: Record<string, string>): URL {
    const url = new URL(this.options.adminUrl.href.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return url;
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    opts: {
      body?: unknown;
      schema?: z.ZodType<T>;
      accept?: number[];
      query?: Record<string, string>;
      headers?: Record<string, string>;
      signal?: AbortSignal;
      idempotent?: boolean;
      maxResponseBytes?: number;
    } = {},
  ) {
    try {
      return await requestJson({
        service: SERVICE,
        method,
        url: this.url(path, opts.query),
        headers: async () => ({ authorization: `Bearer ${await this.bearer()}`, ...opts.headers }),
        idempotent: opts.idempotent,
        retry: this.options.retry,
        body: opts.body,
        schema: opts.schema,
        accept: opts.accept,
        timeoutMs: this.options.timeoutMs,
        signal: opts.signal,
        maxResponseBytes: opts.maxResponseBytes,
      });
    } catch (error) {
      if (error instanceof ServiceError && error.status === 401) {
        throw new ProviderError(
          'Yufu rejected the service-account credentials',
          `${error.detail}\n\nCheck the service-account file (clientId ${this.options.serviceAccount.clientId}, key id ${this.options.serviceAccount.privateKey.kid}): ` +
            'that the key was not revoked or replaced in the Yufu console, that yufu_admin_url points at this tenant, and that this machine\'s clock is correct.',
        );
      }
      throw error;
    }
  }

  /**
   * Creates an app under a creation key (docs/api/ownership.md §2). One key for all
   * attempts: a retry after a lost answer returns the app created the first time.
   */
  async createApp(input: AppInput, options: { key?: string; secretVersion?: number | null } = {}, signal?: AbortSignal): Promise<YufuApp> {
    const { body } = await this.call('POST', '/api/v1/oidc-apps', {
      body: options.secretVersion === undefined || options.secretVersion === null ? input : { ...input, client_secret_version: options.secretVersion },
      schema: appSchema,
      headers: { 'idempotency-key': options.key ?? randomUUID() },
      idempotent: true,
      signal,
    });
    return body as YufuApp;
  }

  /** Compare-and-set of the app's claimant (ownership.md §3); a lost race is a 409 ServiceError. */
  async claimApp(id: string, claim: ClaimRequest, signal?: AbortSignal): Promise<YufuApp> {
    const { body } = await this.call('POST', `/api/v1/oidc-apps/${encodeURIComponent(id)}:claim`, {
      body: { claimant: claim.claimant, previous_claimant: claim.previousClaimant },
      schema: appSchema,
      // Setting the same claimant twice has the same effect.
      idempotent: true,
      signal,
    });
    return body as YufuApp;
  }

  /** The apps with these client ids (at most 100 per call). */
  async appsByClientId(clientIds: string[], signal?: AbortSignal): Promise<YufuApp[]> {
    if (clientIds.length === 0) return [];
    const { body } = await this.call('GET', '/api/v1/oidc-apps', { query: { client_id: clientIds.join(','), page_size: '100' }, schema: listSchema, signal, maxResponseBytes: RESPONSE_LIMITS.appList });
    return body?.items ?? [];
  }

  /** null when the app does not exist (deleted out of band). */
  async getApp(id: string, signal?: AbortSignal): Promise<YufuApp | null> {
    const { status, body } = await this.call('GET', `/api/v1/oidc-apps/${encodeURIComponent(id)}`, {
      schema: appSchema,
      accept: [404],
      signal,
    });
    return status === 404 ? null : (body as YufuApp);
  }

  async findAppsByName(name: string, signal?: AbortSignal): Promise<YufuApp[]> {
    const { body } = await this.call('GET', '/api/v1/oidc-apps', { query: { name, page_size: '100' }, schema: listSchema, signal, maxResponseBytes: RESPONSE_LIMITS.appList });
    return body?.items ?? [];
  }

  async updateApp(id: string, patch: Partial<AppInput>, signal?: AbortSignal): Promise<YufuApp> {
    // A PATCH that sets absolute values has the same effect twice.
    const { body } = await this.call('PATCH', `/api/v1/oidc-apps/${encodeURIComponent(id)}`, { body: patch, schema: appSchema, signal, idempotent: true });
    return body as YufuApp;
  }

  /**
   * Rotates the secret and labels it `version`. Labelled, the rotation can be retried:
   * the service rotates only when the secret does not carry that label yet.
   */
  async rotateSecret(id: string, version: number, signal?: AbortSignal): Promise<YufuApp> {
    const { body } = await this.call('POST', `/api/v1/oidc-apps/${encodeURIComponent(id)}/client-secret:rotate`, {
      body: { client_secret_version: version },
      schema: appSchema,
      idempotent: true,
      signal,
    });
    return body as YufuApp;
  }

  /**
   * Deletes the app if `claimant` holds it (null: only if unclaimed). Answers 'deleted',
   * 'gone' (already deleted: the goal state holds) or 'not-ours' (claimed by another).
   */
  async deleteApp(id: string, claimant: string | null, signal?: AbortSignal): Promise<'deleted' | 'gone' | 'not-ours'> {
    const { status } = await this.call('DELETE', `/api/v1/oidc-apps/${encodeURIComponent(id)}`, { query: claimantQuery(claimant), accept: [404, 412], signal });
    return status === 404 ? 'gone' : status === 412 ? 'not-ours' : 'deleted';
  }
}
