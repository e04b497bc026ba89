/**
 * The tenants file: many tenants declared as data (YAML or JSON), validated with zod,
 * with errors that point at the file, line and column, and name the field.
 *
 * ```yaml
 * defaults:
 *   schedule: { cron: "0 2 * * *", timeZone: Asia/Shanghai, mode: incremental }
 * tenants:
 *   - id: demo-tenant-001
 *     ehrAdminUrl: https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation
 *     sso: { name: aPaaS demo tenant SSO }
 *   - id: sales-cn
 *     corpKey: salescn
 *     stack: sales          # its own stack and state (default: "tenants")
 *   - id: hr-cn             # set up by hand in the consoles, adopted with `npm run adopt -- hr-cn`
 *     corpKey: hrcn
 *     secretVersion: null
 *     import: { appId: app_5f1d0c9e8b7a6f5e4d3c2b1a, connector: true, schedule: true }
 * ```
 *
 * `import` (tenants only, not `defaults`) names what exists already and is imported
 * instead of created: the Yufu app by its id, the connector and the schedule by the
 * tenant id. The next synth emits `import` blocks for them (QianfanTenant's
 * `importExisting`); once applied they do nothing and the field can go.
 */
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { checkCorpKey, checkCron, checkRedirectUri, checkTimeZone, corpKeyFromUrl, SYNC_MODES, checkName, checkDescription } from '../providers/qianfan/rules';
import { importExistingSchema } from './qianfan-tenant';
import { ruled } from './validation';

export const DEFAULT_STACK = 'tenants';

const scheduleSchema = z.union([
  z.literal(false),
  z
    .object({
      cron: ruled((v) => checkCron(v)),
      timeZone: ruled(checkTimeZone).optional(),
      mode: z.enum(SYNC_MODES).optional(),
      enabled: z.boolean().optional(),
    })
    .strict(),
]);

const ssoSchema = z
  .object({
    name: ruled(checkName).optional(),
    description: ruled(checkDescription).optional(),
    redirectUris: z.array(ruled(checkRedirectUri)).min(1).optional(),
    postLogoutRedirectUris: z.array(ruled(checkRedirectUri)).optional(),
    grantTypes: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials'])).min(1).optional(),
    scopes: z.array(z.enum(['openid', 'profile', 'email', 'offline_access', 'phone'])).optional(),
    requirePkce: z.boolean().optional(),
    accessTokenLifetime: z.number().int().min(60).max(86_400).optional(),
    idTokenLifetime: z.number().int().min(60).max(86_400).optional(),
    refreshTokenLifetime: z.number().int().min(3_600).max(31_536_000).optional(),
  })
  .strict();

const common = {
  sso: ssoSchema.optional(),
  schedule: scheduleSchema.optional(),
  secretHandling: z.enum(['provider', 'state', 'write-only']).optional(),
  waitForInitialSync: z.boolean().optional(),
};

const tenantSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected the aPaaS tenant id: 1–64 letters, digits, "-" or "_"'),
    stack: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a stack name: lowercase letters, digits and "-", starting with a letter').optional(),
    ehrAdminUrl: ruled((v) => {
      const r = corpKeyFromUrl(v);
      return 'problem' in r ? r.problem : null;
    }).optional(),
    corpKey: ruled(checkCorpKey).optional(),
    secretVersion: z.number().int().min(1).nullable().optional(),
    import: importExistingSchema.optional(),
    ...common,
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.ehrAdminUrl === undefined && t.corpKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['corpKey'], message: 'expected ehrAdminUrl (the E-HR admin URL) or corpKey' });
    }
  });

const fileSchema = z
  .object({
    defaults: z.object(common).strict().optional(),
    tenants: z.array(tenantSchema).min(1, 'expected at least one tenant'),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Map<string, number>();
    f.tenants.forEach((t, i) => {
      if (seen.has(t.id)) {
        ctx.addIssue({ code: 'custom', path: ['tenants', i, 'id'], message: `duplicate tenant id (also at tenants[${seen.get(t.id)}])` });
      } else seen.set(t.id, i);
    });
  });

export type TenantEntry = z.infer<typeof tenantSchema>;
export type TenantsFile = z.infer<typeof fileSchema>;

export class TenantsFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { line: number; column: number; path: string; message: string }[],
  ) {
    super(`invalid tenants file ${file}:\n${problems.map((p) => `  ${file}:${p.line}:${p.column}: ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'TenantsFileError';
  }
}

function formatPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(file)';
}

/** The YAML node at a path, or its nearest existing parent. */
function nodeAt(root: Node | null, path: PropertyKey[]): Node | null {
  let node = root;
  for (const step of path) {
    let next: unknown = undefined;
    if (isMap(node)) next = node.get(String(step), true);
    else if (isSeq(node) && typeof step === 'number') next = node.get(step, true);
    if (!next || typeof next !== 'object') break;
    node = next as Node;
  }
  return node;
}

export function parseTenantsFile(text: string, file = 'tenants.yaml'): TenantsFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new TenantsFileError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, path: '(syntax)', message: e.message.split('\n')[0] };
      }),
    );
  }
  const result = fileSchema.safeParse(doc.toJS(), { reportInput: true });
  if (result.success) return result.data;
  throw new TenantsFileError(
    file,
    result.error.issues.map((issue) => {
      const node = nodeAt(doc.contents, issue.path);
      const pos = lineCounter.linePos(node?.range?.[0] ?? 0);
      const got = 'input' in issue && issue.input !== undefined ? `; got ${JSON.stringify(issue.input)}` : '';
      const message = issue.message.length > 0 ? issue.message[0].toLowerCase() + issue.message.slice(1) : issue.message;
      return { line: pos.line, column: pos.col, path: formatPath(issue.path), message: `${message}${got}` };
    }),
  );
}

export function loadTenantsFile(path: string): TenantsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the tenants file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseTenantsFile(text, path);
}

/** Tenants grouped by stack, with the file's defaults applied. */
export function tenantsByStack(file: TenantsFile): Map<string, TenantEntry[]> {
  const stacks = new Map<string, TenantEntry[]>();
  for (const t of file.tenants) {
    const merged: TenantEntry = { ...file.defaults, ...t, sso: { ...file.defaults?.sso, ...t.sso } };
    const stack = t.stack ?? DEFAULT_STACK;
    stacks.set(stack, [...(stacks.get(stack) ?? []), merged]);
  }
  return stacks;
}
