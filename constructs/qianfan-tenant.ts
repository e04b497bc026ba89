/**
 * QianfanTenant — a whole Qianfan aPaaS tenant's identity setup in one construct,
 * the three console procedures of docs/architecture.md §1 as code:
 *   1. a Yufu (千帆玉符) OIDC application for the tenant (plus its discovery document),
 *   2. the aPaaS 【腾讯 HR 助手】 connector fed with the app's Well-known URL and
 *      Client ID and the E-HR Corp Key — the provider sends the app's Client Secret
 *      itself, so the secret never enters Terraform's state, plan or outputs,
 *   3. the organisation sync schedule.
 *
 * Construct ids ("Sso", "HrConnector", "SyncSchedule") are a public contract: they
 * name the Terraform resources, so renaming them would replace real objects.
 */
import { z } from 'zod';
import { checkCorpKey, checkCron, checkTenantId, checkTimeZone, corpKeyFromUrl, oneOfRule, SYNC_MODES, type SyncMode } from '../providers/qianfan/rules';
import { ApaasHrConnector } from './bindings/apaas-hr-connector';
import { ApaasSyncSchedule } from './bindings/apaas-sync-schedule';
import { Annotations, Construct, type TerraformProvider } from './framework';
import { falseOr, isToken, parseProps, PropsError, ruled } from './validation';
import { YufuOidcApplication, type YufuOidcApplicationProps } from './yufu-oidc-application';

export interface SyncScheduleProps {
  /** 5-field cron (or 6 with seconds). */
  readonly cron: string;
  /** IANA time zone. @default - the schedule resource's default, "Asia/Shanghai" */
  readonly timeZone?: string;
  /** @default - the schedule resource's default, "incremental" */
  readonly mode?: (typeof SYNC_MODES)[number];
  /** @default - the schedule resource's default: enabled */
  readonly enabled?: boolean;
}

/** What exists already (set up in the consoles) and is imported instead of created. */
export interface ImportExistingProps {
  /** The Yufu app's id (`app_…`, not its client id). @default - the app is created */
  readonly appId?: string;
  /** Import the tenant's HR connector (its import id is the tenant id). @default false: it is created */
  readonly connector?: boolean;
  /** Import the tenant's sync schedule (its import id is the tenant id). @default false: it is created */
  readonly schedule?: boolean;
}

/** The shape of ImportExistingProps, shared with the tenants file's `import:` (docs/api/yufu-admin.md §4 for the app id). */
export const importExistingSchema = z
  .object({
    appId: z
      .string({ error: 'expected the Yufu app id' })
      .regex(/^app_[0-9a-f]{24}$/, 'expected the Yufu app id: "app_" and 24 lowercase hex characters (the id, not the client id "ai-…")')
      .optional(),
    connector: z.boolean().optional(),
    schedule: z.boolean().optional(),
  })
  .strict();

export interface QianfanTenantProps {
  /** The aPaaS tenant id, as in https://apaas.weworkpro.tencent-cloud.com/{tenant}/ */
  readonly apaasTenantId: string;
  /**
   * The Yufu app. Redirect and post-logout URIs default to the tenant's aPaaS URL.
   * Rotate its secret with `secretVersion`, not here.
   * @default - name "aPaaS {tenant} SSO", scopes openid profile email offline_access, grants authorization_code refresh_token
   */
  readonly sso?: Partial<Omit<YufuOidcApplicationProps, 'provider' | 'clientSecretVersion'>>;
  /** The E-HR admin URL as seen in the browser, e.g. https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation (a literal string). Give this or corpKey. */
  readonly ehrAdminUrl?: string;
  /** The E-HR Corp Key. Give this or ehrAdminUrl. */
  readonly corpKey?: string;
  /** The sync schedule; false for none. @default - daily at 02:00 Asia/Shanghai, incremental (DEFAULT_SCHEDULE) */
  readonly schedule?: SyncScheduleProps | false;
  /**
   * @deprecated The client secret now never enters Terraform, whatever this says: the
   * provider reads it from the Yufu app and sends it to aPaaS itself. "state" and
   * "write-only" are accepted (with a synth warning) and behave like "provider".
   * @default "provider"
   */
  readonly secretHandling?: 'provider' | 'state' | 'write-only';
  /**
   * Change to rotate the Yufu client secret; the connector follows in the same apply.
   * null: no rotation trigger (what `npm run adopt` writes for an app made in the
   * console, whose secret carries no version); setting a number later only records it.
   * @default 1
   */
  readonly secretVersion?: number | null;
  /** Wait for the first organisation sync on create. @default - the connector's default: wait */
  readonly waitForInitialSync?: boolean;
  /**
   * Objects that exist already — set up by hand in the consoles — to bring under
   * management: the synthesized stack carries an `import` block for each, so the next
   * plan imports them instead of creating new ones and shows only what differs from these
   * props. What `npm run adopt` records in the tenants file. Once applied the blocks do
   * nothing; remove them then.
   * @default - nothing is imported: the app, the connector and the schedule are created
   */
  readonly importExisting?: ImportExistingProps;
  /** @default - the stack's default qianfan provider */
  readonly provider?: TerraformProvider;
}

export const DEFAULT_SCHEDULE: Required<SyncScheduleProps> = { cron: '0 2 * * *', timeZone: 'Asia/Shanghai', mode: 'incremental', enabled: true };

const scheduleSchema = z
  .object({
    cron: ruled((v) => checkCron(v)),
    timeZone: ruled(checkTimeZone).optional(),
    mode: ruled<SyncMode>(oneOfRule(SYNC_MODES)).optional(),
    enabled: z.boolean().optional(),
  })
  .superRefine((s, ctx) => {
    const tz = s.timeZone ?? DEFAULT_SCHEDULE.timeZone;
    if (!checkTimeZone(tz) && !checkCron(s.cron)) {
      const problem = checkCron(s.cron, tz, s.mode ?? DEFAULT_SCHEDULE.mode);
      if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem, input: s.cron });
    }
  });

const propsSchema = z
  .object({
    apaasTenantId: ruled(checkTenantId),
    sso: z
      .record(z.string(), z.unknown())
      .refine((sso) => !('clientSecretVersion' in sso), { message: 'expected no clientSecretVersion here: rotate with secretVersion, which the connector follows', path: ['clientSecretVersion'] })
      .optional(),
    ehrAdminUrl: ruled((v) => {
      const r = corpKeyFromUrl(v);
      return 'problem' in r ? r.problem : null;
    }).optional(),
    corpKey: ruled(checkCorpKey).optional(),
    schedule: falseOr(scheduleSchema).optional(),
    secretHandling: z.enum(['provider', 'state', 'write-only']).optional(),
    secretVersion: z.number().int('expected a whole number').min(1, 'expected a number ≥ 1').nullable().optional(),
    waitForInitialSync: z.boolean().optional(),
    importExisting: importExistingSchema.optional(),
    provider: z.any().optional(),
  })
  .superRefine((p, ctx) => {
    if (p.importExisting?.schedule === true && p.schedule === false) {
      ctx.addIssue({ code: 'custom', path: ['importExisting', 'schedule'], message: 'expected no schedule import with schedule false (there is no schedule resource to import into)', input: true });
    }
    if (p.ehrAdminUrl === undefined && p.corpKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['corpKey'], message: 'expected ehrAdminUrl (the E-HR admin URL) or corpKey', input: undefined });
    }
    if (p.ehrAdminUrl !== undefined && p.corpKey !== undefined) {
      const fromUrl = corpKeyFromUrl(p.ehrAdminUrl);
      if ('corpKey' in fromUrl && fromUrl.corpKey !== p.corpKey) {
        ctx.addIssue({ code: 'custom', path: ['corpKey'], message: `expected the same Corp Key as ehrAdminUrl ("${fromUrl.corpKey}")`, input: p.corpKey });
      }
    }
  });

export class QianfanTenant extends Construct {
  readonly sso: YufuOidcApplication;
  readonly connector: ApaasHrConnector;
  readonly schedule?: ApaasSyncSchedule;
  /** The Corp Key the connector uses. */
  readonly corpKey: string;
  readonly apaasTenantId: string;
  readonly apaasUrl: string;

  constructor(scope: Construct, id: string, props: QianfanTenantProps) {
    super(scope, id);
    const construct = `QianfanTenant "${this.node.path}"`;
    if (isToken(props.ehrAdminUrl)) {
      // The Corp Key is read off the URL at synth; a token would leave it empty.
      throw new PropsError(construct, [{ path: 'ehrAdminUrl', message: 'expected the E-HR admin URL as a literal string (the Corp Key is read off it at synth); got a token — give corpKey when the URL is only known at apply' }]);
    }
    const p = parseProps(propsSchema, props, construct);
    const fromUrl = p.ehrAdminUrl !== undefined ? corpKeyFromUrl(p.ehrAdminUrl) : undefined;
    this.corpKey = p.corpKey ?? (fromUrl as { corpKey: string }).corpKey;
    this.apaasTenantId = p.apaasTenantId;
    this.apaasUrl = `https://apaas.weworkpro.tencent-cloud.com/${p.apaasTenantId}/`;

    const sso = (props.sso ?? {}) as Partial<YufuOidcApplicationProps>;
    const version = p.secretVersion === undefined ? 1 : p.secretVersion;
    this.sso = new YufuOidcApplication(this, 'Sso', {
      name: `aPaaS ${p.apaasTenantId} SSO`,
      description: `Single sign-on for aPaaS tenant ${p.apaasTenantId}`,
      redirectUris: [this.apaasUrl],
      postLogoutRedirectUris: [this.apaasUrl],
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      ...sso,
      clientSecretVersion: version ?? undefined,
      provider: props.provider,
    });

    if (p.secretHandling === 'state' || p.secretHandling === 'write-only') {
      Annotations.of(this).addWarning(
        `secretHandling "${p.secretHandling}" is deprecated and ignored: the provider now sends the Yufu client secret to aPaaS itself, so it is in no state, plan or output. Remove the setting.`,
      );
    }
    // No secret here: the provider reads the app's current secret by client id and sends
    // it; clientSecretVersion (a reference to the app's) makes a rotation reach aPaaS in
    // the same apply.
    this.connector = new ApaasHrConnector(this, 'HrConnector', {
      tenantId: p.apaasTenantId,
      corpKey: this.corpKey,
      wellKnownUrl: this.sso.wellKnownUrl,
      clientId: this.sso.clientId,
      clientSecretVersion: version === null ? undefined : this.sso.clientSecretVersion,
      waitForInitialSync: p.waitForInitialSync,
      provider: props.provider,
    });

    if (p.schedule !== false) {
      const s = { ...DEFAULT_SCHEDULE, ...(p.schedule ?? {}) };
      this.schedule = new ApaasSyncSchedule(this, 'SyncSchedule', {
        tenantId: p.apaasTenantId,
        cron: s.cron,
        timeZone: s.timeZone,
        mode: s.mode,
        enabled: s.enabled,
        dependsOn: [this.connector],
        provider: props.provider,
      });
    }

    // cdktf's import support (`import` blocks): the next plan imports, then compares.
    const imports = p.importExisting ?? {};
    if (imports.appId !== undefined) this.sso.app.importFrom(imports.appId);
    if (imports.connector === true) this.connector.importFrom(p.apaasTenantId);
    if (imports.schedule === true) this.schedule?.importFrom(p.apaasTenantId);
  }
}
