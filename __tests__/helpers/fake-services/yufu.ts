/**
 * An in-memory Yufu admin API (docs/api/yufu-admin.md) with the methods of
 * YufuAdminClient: creation keys replayed, names as display names (not unique), claims,
 * labelled rotation, conditional deletes.
 */
import { randomBytes } from 'node:crypto';
import type { AppInput, YufuAdminClient, YufuApp } from '../../../providers/qianfan/clients/yufu';
import type { ClaimRequest } from '../../../providers/qianfan/clients/ownership';
import { DEFAULTS } from '../../../emulator/yufu/validation';
import { claim, deletable, hex, now, Recorder } from './recorder';

/** The service's defaults (the emulator's, the one place they are written), with a redirect URI. */
export const APP_DEFAULTS: Omit<AppInput, 'name'> = { ...DEFAULTS, redirect_uris: ['https://apaas.weworkpro.tencent-cloud.com/t-1/'] };

type YufuMethods = Pick<YufuAdminClient, keyof YufuAdminClient>;

export class FakeYufu extends Recorder implements YufuMethods {
  readonly apps = new Map<string, YufuApp>();
  private readonly keys = new Map<string, string>();

  constructor() {
    super('Yufu admin API');
  }

  /** An app that already exists (made in the console unless creation_key / claimed_by say otherwise). */
  seed(app: Partial<YufuApp> & { name: string }): YufuApp {
    const made = this.make({ ...APP_DEFAULTS, ...app }, app.creation_key ?? null, app.client_secret_version ?? null);
    Object.assign(made, app);
    this.apps.set(made.id, made);
    return structuredClone(made);
  }

  app(id: string): YufuApp {
    const app = this.apps.get(id);
    if (!app) throw new Error(`fake: no app ${id}`);
    return app;
  }

  private make(input: AppInput, key: string | null, version: number | null): YufuApp {
    const clientId = `ai-${hex(16)}`;
    const issuer = `https://demo-idp.cig.tencentcs.com/sso/tn-${'0'.repeat(32)}/${clientId}/oidc`;
    const at = now();
    return {
      ...structuredClone(input),
      id: `app_${hex(12)}`,
      client_id: clientId,
      client_secret: randomBytes(32).toString('base64url'),
      issuer,
      well_known_url: `${issuer}/.well-known/openid-configuration`,
      client_secret_version: version,
      creation_key: key,
      claimed_by: null,
      claimed_at: null,
      created_at: at,
      updated_at: at,
    };
  }

  createApp(input: AppInput, options: { key?: string; secretVersion?: number | null } = {}): Promise<YufuApp> {
    return this.serve('createApp', [input, options], () => {
      const replayed = options.key === undefined ? undefined : this.keys.get(options.key);
      if (replayed !== undefined) {
        const app = this.apps.get(replayed);
        if (!app) throw this.error(404, 'not_found', 'the app created under this Idempotency-Key was deleted');
        return app;
      }
      const app = this.make(input, options.key ?? null, options.secretVersion ?? null);
      this.apps.set(app.id, app);
      this.changed();
      if (options.key !== undefined) this.keys.set(options.key, app.id);
      return app;
    });
  }

  claimApp(id: string, request: ClaimRequest): Promise<YufuApp> {
    return this.serve('claimApp', [id, request], () => {
      claim(this, this.apps.get(id), request, `app ${id}`);
      return this.app(id);
    });
  }

  appsByClientId(clientIds: string[]): Promise<YufuApp[]> {
    return this.serve('appsByClientId', [clientIds], () => [...this.apps.values()].filter((a) => clientIds.includes(a.client_id)));
  }

  getApp(id: string): Promise<YufuApp | null> {
    return this.serve('getApp', [id], () => this.apps.get(id) ?? null);
  }

  findAppsByName(name: string): Promise<YufuApp[]> {
    // Ordered by created_at, then id (yufu-admin.md §5.2).
    const order = (a: YufuApp, b: YufuApp) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id);
    return this.serve('findAppsByName', [name], () => [...this.apps.values()].filter((a) => a.name === name).sort(order));
  }

  updateApp(id: string, patch: Partial<AppInput>): Promise<YufuApp> {
    return this.serve('updateApp', [id, patch], () => {
      const app = this.apps.get(id);
      if (!app) throw this.error(404, 'not_found', `app ${id} does not exist`);
      if (patch.application_type !== undefined && patch.application_type !== app.application_type) {
        throw this.error(400, 'immutable_field', 'application_type cannot change', 'application_type');
      }
      Object.assign(app, structuredClone(patch), { updated_at: now() });
      this.changed();
      return app;
    });
  }

  rotateSecret(id: string, version: number): Promise<YufuApp> {
    return this.serve('rotateSecret', [id, version], () => {
      const app = this.apps.get(id);
      if (!app) throw this.error(404, 'not_found', `app ${id} does not exist`);
      if (app.client_secret_version !== version) {
        app.client_secret = randomBytes(32).toString('base64url');
        app.client_secret_version = version;
        app.updated_at = now();
        this.changed();
      }
      return app;
    });
  }

  deleteApp(id: string, claimant: string | null): Promise<'deleted' | 'gone' | 'not-ours'> {
    return this.serve('deleteApp', [id, claimant], () => {
      const app = this.apps.get(id);
      if (!app) return 'gone';
      if (!deletable(app, claimant)) return 'not-ours';
      this.apps.delete(id);
      this.changed();
      return 'deleted';
    });
  }
}
