/**
 * The tenants file: many tenants declared as data (YAML or JSON), validated with zod
 * and the shared service rules, with errors that point at file:line:column, name the
 * field and show at most a short excerpt of the value.
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
 * Tenant ids are compared without case and with "-" and "_" alike: "Demo" next to
 * "demo", or "a-b" next to "a_b", is refused, naming both (they would be one Terraform
 * output, and possibly one tenant of a case-insensitive service). The file is read only
 * if it is a regular file of at most 2 MiB; YAML aliases expand at most 100 times and
 * nesting goes at most 32 levels deep (yaml-limits.ts).
 *
 * `import` (tenants only, not `defaults`) names what exists already and is imported
 * instead of created: the Yufu app by its id, the connector and the schedule by the
 * tenant id. The next synth emits `import` blocks for them (QianfanTenant's
 * `importExisting`); once applied they do nothing and the field can go.
 */
import { isMap, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { FileReadError, readRegularTextFile } from '../providers/qianfan/files';
import {
  checkCorpKey,
  checkCron,
  checkDescription,
  checkGrantTypes,
  checkName,
  checkRedirectUri,
  checkRedirectUris,
  checkScopes,
  checkStackName,
  checkTenantId,
  checkTimeZone,
  corpKeyFromUrl,
  GRANT_TYPES,
  type GrantType,
  type Scope,
  SCOPES,
  shown,
  oneOfRule,
  SYNC_MODES,
  tenantKey,
  type SyncMode,
} from '../providers/qianfan/rules';
import { DEFAULT_SCHEDULE, importExistingSchema } from './qianfan-tenant';
import { falseOr, issueMessage, lifetimeSchema, ruled, ruledList } from './validation';
import { duplicateKeys, MAX_DEPTH, tooDeep } from './yaml-limits';

export const DEFAULT_STACK = 'tenants';
/** About 60,000 tenants; parsing that much YAML takes a few seconds on this project's machine. */
export const TENANTS_FILE_MAX_BYTES = 2 * 1024 * 1024;
/** YAML alias expansions allowed: enough for shared defaults, far too few for a "billion laughs" file. */
export const MAX_ALIASES = 100;
const MAX_PROBLEMS = 50;

const scheduleSchema = falseOr(
  z
    .object({
      cron: ruled((v) => checkCron(v)),
      timeZone: ruled(checkTimeZone).optional(),
      mode: ruled<SyncMode>(oneOfRule(SYNC_MODES)).optional(),
      enabled: z.boolean().optional(),
    })
    .strict()
    .superRefine((s, ctx) => {
      const tz = s.timeZone ?? DEFAULT_SCHEDULE.timeZone;
      if (checkTimeZone(tz) || checkCron(s.cron)) return;
      const problem = checkCron(s.cron, tz, s.mode ?? DEFAULT_SCHEDULE.mode);
      if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem, input: s.cron });
    }),
);

const inList = oneOfRule;
const lifetime = lifetimeSchema;

const ssoSchema = z
  .object({
    name: ruled(checkName).optional(),
    description: ruled(checkDescription).optional(),
    redirectUris: ruledList((v) => checkRedirectUris(v, 1), checkRedirectUri).optional(),
    postLogoutRedirectUris: ruledList((v) => checkRedirectUris(v, 0), checkRedirectUri).optional(),
    grantTypes: ruledList<GrantType>(checkGrantTypes, inList(GRANT_TYPES)).optional(),
    scopes: ruledList<Scope>(checkScopes, inList(SCOPES)).optional(),
    requirePkce: z.boolean().optional(),
    accessTokenLifetime: lifetime('access_token_lifetime'),
    idTokenLifetime: lifetime('id_token_lifetime'),
    refreshTokenLifetime: lifetime('refresh_token_lifetime'),
  })
  .strict();

const common = {
  sso: ssoSchema.optional(),
  schedule: scheduleSchema.optional(),
  secretHandling: z.enum(['provider', 'state', 'write-only']).optional(),
  waitForInitialSync: z.boolean().optional(),
};

/** A string a YAML reader may have turned into a number or boolean (001 → 1, no → false): say to quote it. */
const yamlString = (rule: (value: string) => string | null) =>
  z
    .string({
      error: (issue) =>
        typeof issue.input === 'number' || typeof issue.input === 'boolean'
          ? `expected a string; YAML read this value as the ${typeof issue.input} ${String(issue.input)}: put it in quotes`
          : 'expected a string',
    })
    .superRefine((value, ctx) => {
      const problem = rule(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const tenantSchema = z
  .object({
    id: yamlString(checkTenantId),
    stack: ruled(checkStackName).optional(),
    ehrAdminUrl: ruled((v) => {
      const r = corpKeyFromUrl(v);
      return 'problem' in r ? r.problem : null;
    }).optional(),
    corpKey: yamlString(checkCorpKey).optional(),
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
  .strict();

export type TenantEntry = z.infer<typeof tenantSchema>;
export type TenantsFile = z.infer<typeof fileSchema>;

export interface TenantsFileProblem {
  line: number;
  column: number;
  path: string;
  message: string;
}

export class TenantsFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: TenantsFileProblem[],
    /** Problems found beyond the ones listed. */
    readonly more = 0,
  ) {
    const lines = problems.map((p) => `  ${file}:${p.line}:${p.column}: ${p.path}: ${p.message}`);
    if (more > 0) lines.push(`  … and ${more} more problem${more === 1 ? '' : 's'}`);
    super(`invalid tenants file ${file}:\n${lines.join('\n')}`);
    this.name = 'TenantsFileError';
  }
}

function formatPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(file)';
}

/** The YAML node at a path, or its nearest existing parent. */
function nodeAt(root: Node | null, path: readonly PropertyKey[]): Node | null {
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

/** Ids that would name one tenant (same id, same but for case, same once "-" is "_"). */
function collisions(doc: Document, tenants: unknown, at: (path: PropertyKey[], message: string) => TenantsFileProblem): TenantsFileProblem[] {
  if (!Array.isArray(tenants)) return [];
  const seen = new Map<string, { id: string; index: number; line: number }>();
  const found: TenantsFileProblem[] = [];
  tenants.forEach((t: unknown, index) => {
    const id = (t as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || checkTenantId(id)) return;
    const key = tenantKey(id);
    const first = seen.get(key);
    if (!first) {
      const line = at(['tenants', index, 'id'], '').line;
      seen.set(key, { id, index, line });
      return;
    }
    const other = `${shown(first.id)} (tenants[${first.index}], line ${first.line})`;
    const message =
      first.id === id
        ? `duplicate tenant id ${shown(id)}; also at ${other}`
        : first.id.toLowerCase() === id.toLowerCase()
          ? `tenant id ${shown(id)} differs from ${other} only in case; ids are compared without case (one aPaaS tenant, one stack directory on a case-insensitive file system): rename one`
          : `tenant ids ${shown(id)} and ${other} both become the Terraform output name tenant_${key}; rename one`;
    found.push(at(['tenants', index, 'id'], message));
  });
  void doc;
  return found;
}

/** Line and column (1-based) of an offset, without the parser (the file may be refused before parsing). */
function positionIn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

export function parseTenantsFile(text: string, file = 'tenants.yaml'): TenantsFile {
  const deep = tooDeep(text);
  if (deep !== undefined) {
    throw new TenantsFileError(file, [{ ...positionIn(text, deep), path: '(nesting)', message: `nested more than ${MAX_DEPTH} levels deep; a tenants file needs 5` }]);
  }
  const lineCounter = new LineCounter();
  // uniqueKeys is checked below in one pass: the parser's own check is quadratic.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const position = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const yamlProblems = [
    ...[...doc.errors, ...doc.warnings].map((e) => ({ offset: e.pos[0], message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') })),
    ...duplicateKeys(doc).map((d) => ({ offset: d.offset, message: `duplicate key ${shown(d.key)}: YAML keeps only one of them, so say it once` })),
  ];
  if (yamlProblems.length > 0) {
    throw new TenantsFileError(
      file,
      yamlProblems.slice(0, MAX_PROBLEMS).map((e) => ({ ...position(e.offset), path: '(syntax)', message: e.message })),
      Math.max(0, yamlProblems.length - MAX_PROBLEMS),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    let alias: Node | undefined;
    visit(doc, {
      Alias(_key, node) {
        alias = node;
        return visit.BREAK;
      },
    });
    const where = position(alias?.range?.[0] ?? 0);
    throw new TenantsFileError(file, [
      { ...where, path: '(aliases)', message: `YAML aliases expand more than ${MAX_ALIASES} times (${(error as Error).message.toLowerCase()}); the first alias is here. Repeat the values or use defaults: instead` },
    ]);
  }
  const at = (path: PropertyKey[], message: string): TenantsFileProblem => ({
    ...position(nodeAt(doc.contents, path)?.range?.[0] ?? 0),
    path: formatPath(path),
    message,
  });
  const result = fileSchema.safeParse(data, { reportInput: true });
  const problems = [
    ...(result.success ? [] : result.error.issues.map((issue) => at(issue.path, issueMessage(issue)))),
    ...collisions(doc, (data as { tenants?: unknown } | null)?.tenants, at),
  ];
  if (problems.length === 0 && result.success) return result.data;
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  throw new TenantsFileError(file, problems.slice(0, MAX_PROBLEMS), Math.max(0, problems.length - MAX_PROBLEMS));
}

export function loadTenantsFile(path: string): TenantsFile {
  let text: string;
  try {
    text = readRegularTextFile(path, TENANTS_FILE_MAX_BYTES);
  } catch (error) {
    if (error instanceof FileReadError) throw new Error(`cannot read the tenants file ${path}: it ${error.reason}`);
    throw error;
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
