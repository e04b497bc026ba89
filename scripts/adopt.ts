/**
 * `npm run adopt -- <aPaaS tenant id> [more ids…]` / `npm run adopt -- --all`
 *
 * Brings tenants that were set up by hand in the consoles under management without
 * touching them: reads the live setup (connector, the Yufu app its client id belongs
 * to, the sync schedule) with the provider's own clients and environment (QIANFAN_*),
 * and adds an entry per tenant to the tenants file (QIANFAN_TENANTS_FILE, default
 * tenants.yaml) that declares exactly that — every setting that differs from the
 * defaults spelled out — with an `import:` record, so the next plan only imports.
 *
 * It never writes to any service. Tenants it cannot adopt as they are are refused with
 * the reason, and then nothing is written at all (all or nothing).
 */
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_STACK } from '../constructs/tenants-file';
import { ENV, resolveClients } from '../providers/qianfan/config';
import { ProviderError } from '../providers/runtime/diagnostics';
import { entryFor, type AdoptedEntry } from './lib/adopt-entry';
import { CONCURRENCY, LiveReader, mapLimited, type LiveSetup } from './lib/live-setup';
import { ROOT } from './lib/paths';
import { TenantsFileDocument } from './lib/tenants-file-writer';

const USAGE = `usage: npm run adopt -- <aPaaS tenant id> [more ids…]
       npm run adopt -- --all

Adds tenants set up by hand in the consoles to the tenants file, with import records:
the next plan imports their Yufu app, HR connector and sync schedule and changes nothing.
Reads the services with the provider's environment (QIANFAN_*); writes to none of them.

  --all             every tenant the aPaaS credentials see that has an HR connector,
                    is not in the tenants file and is not managed by a Terraform state
  --stack NAME      the stack the new entries go to (default: "${DEFAULT_STACK}")
  --file PATH       the tenants file (default: $QIANFAN_TENANTS_FILE, else tenants.yaml)
  --dry-run         print the new tenants file; write nothing
  --repair-secret   also adopt a connector whose secret is out of date: the first apply
                    then sends the app's current secret (the plan shows 1 to change)
`;

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line = '') => process.stderr.write(`${line}\n`);

class UsageError extends Error {}

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        all: { type: 'boolean', default: false },
        stack: { type: 'string' },
        file: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'repair-secret': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return null;
  if (values.all && positionals.length > 0) throw new UsageError('give tenant ids or --all, not both');
  if (!values.all && positionals.length === 0) throw new UsageError('name the aPaaS tenant ids to adopt, or --all');
  if (values.stack !== undefined && !/^[a-z][a-z0-9-]{0,39}$/.test(values.stack)) {
    throw new UsageError(`--stack: expected a stack name (lowercase letters, digits and "-", starting with a letter), got ${JSON.stringify(values.stack)}`);
  }
  const ids = [...new Set(positionals.map((id) => id.trim()))];
  for (const id of ids) {
    if (!TENANT_ID.test(id)) throw new UsageError(`${JSON.stringify(id.length > 70 ? `${id.slice(0, 67)}...` : id)}: expected an aPaaS tenant id: 1–64 letters, digits, "-" or "_", as in https://apaas.weworkpro.tencent-cloud.com/{tenant}/`);
  }
  return {
    ids,
    all: values.all,
    stack: values.stack,
    file: values.file ?? process.env.QIANFAN_TENANTS_FILE ?? join(ROOT, 'tenants.yaml'),
    dryRun: values['dry-run'],
    repairSecret: values['repair-secret'],
  };
}

function yufuWhere(): string {
  const url = process.env[ENV.yufuAdminUrl];
  const domain = process.env[ENV.yufuDomain];
  return url ? url : domain ? `https://${domain}-admin.cig.tencentcs.com` : '(no Yufu endpoint configured)';
}

/** For --all: the tenants set up by hand, and what was passed over and why. */
async function handMadeTenants(reader: LiveReader, file: TenantsFileDocument): Promise<{ ids: string[]; skipped: string[] }> {
  const skipped = { inFile: 0, noConnector: 0, managed: 0 };
  const verdicts = await mapLimited(await reader.allTenants(), CONCURRENCY, async (tenant) => {
    if (file.find(tenant.tenant_id)) return 'inFile';
    if (tenant.user_source !== 'hr_assistant') return 'noConnector';
    const connector = await reader.connector(tenant.tenant_id);
    return !connector ? 'noConnector' : connector.claimed_by !== null ? 'managed' : tenant.tenant_id;
  });
  const ids: string[] = [];
  for (const v of verdicts) {
    if (v === 'inFile' || v === 'noConnector' || v === 'managed') skipped[v]++;
    else ids.push(v);
  }
  const lines = [
    skipped.inFile && `${skipped.inFile} in the tenants file already`,
    skipped.noConnector && `${skipped.noConnector} without an HR connector`,
    skipped.managed && `${skipped.managed} whose connector a Terraform state manages`,
  ].filter((s): s is string => typeof s === 'string');
  return { ids, skipped: lines };
}

function describe(setup: LiveSetup): string {
  const { app, connector, schedule } = setup;
  const scheduleText = schedule ? `schedule "${schedule.cron}" ${schedule.time_zone}, ${schedule.mode}${schedule.enabled ? '' : ', paused'}` : 'no schedule';
  return `Yufu app "${app.name}" (${app.id}, client id ${app.client_id}), HR connector (Corp Key ${connector.corp_key}), ${scheduleText}`;
}

async function main(): Promise<number> {
  const opts = options();
  if (!opts) {
    out(USAGE);
    return 0;
  }
  const file = TenantsFileDocument.read(opts.file);
  const fileName = relative(process.cwd(), opts.file) || opts.file;
  const clients = resolveClients({});
  const reader = new LiveReader(await clients.apaas(), clients.yufu, yufuWhere());

  const refused = new Map<string, string[]>();
  let ids = opts.ids;
  if (opts.all) {
    const found = await handMadeTenants(reader, file);
    ids = found.ids;
    if (found.skipped.length > 0) out(`passed over: ${found.skipped.join(', ')}`);
    if (ids.length === 0) {
      out(`nothing to adopt: no tenant with an HR connector set up by hand that is not in ${fileName} already`);
      return 0;
    }
  } else {
    for (const id of ids) {
      const at = file.find(id);
      if (at) {
        refused.set(id, [
          `it is in the tenants file already (${fileName}:${at.line}, tenants[${at.index}]); adopt adds new entries and never changes one. ` +
            'If that entry was written by hand for objects set up in the consoles that no state manages yet, remove it and adopt again (or add `import: { appId: …, connector: true, schedule: true }` to it yourself).',
        ]);
      }
    }
  }

  const setups: LiveSetup[] = [];
  const toRead = ids.filter((i) => !refused.has(i));
  const results = await mapLimited(toRead, CONCURRENCY, (id) => reader.read(id, { repairSecret: opts.repairSecret }));
  results.forEach((result, i) => {
    if (result.ok) setups.push(result.setup);
    else refused.set(toRead[i], result.problems);
  });

  // One app per tenant: an app another tenant's connector also uses cannot be declared for one of them.
  const users = await reader.tenantsUsing(setups.map((s) => s.app.client_id));
  const defaults = file.defaults();
  const adopted: { setup: LiveSetup; adopted: AdoptedEntry }[] = [];
  for (const setup of setups) {
    const id = setup.tenant.tenant_id;
    const others = (users.get(setup.app.client_id) ?? []).filter((t) => t !== id);
    if (others.length > 0) {
      refused.set(id, [
        `its Yufu app "${setup.app.name}" (${setup.app.id}, client id ${setup.app.client_id}) is also the app of tenant${others.length > 1 ? 's' : ''} ${others.join(', ')}. ` +
          'Each tenant in the tenants file has an app of its own: adopting this one would manage the shared app as this tenant\'s alone (its settings, a rotation) and change sign-in for the others. ' +
          `Give ${others.length > 1 ? 'the others' : others[0]} an app of its own in the Yufu console (and its connector that app's client id and secret), then adopt each.`,
      ]);
      continue;
    }
    const result = entryFor(setup, defaults, { stack: opts.stack });
    if (result.ok) adopted.push({ setup, adopted: result.adopted });
    else refused.set(id, result.problems);
  }

  if (refused.size > 0) {
    for (const [id, problems] of refused) {
      err(`✘ ${id} cannot be adopted:`);
      for (const p of problems) err(`  - ${p}`);
    }
    const rest = adopted.map((a) => a.setup.tenant.tenant_id);
    err(`nothing was written to ${fileName}, and nothing to any service.${rest.length > 0 ? ` To adopt the others: npm run adopt -- ${rest.join(' ')}` : ''}`);
    return 1;
  }

  const date = new Date().toISOString().slice(0, 10);
  let imports = 0;
  let changes = 0;
  for (const { setup, adopted: a } of adopted) {
    file.append(a.entry, `set up in the consoles; adopted with \`npm run adopt\` on ${date}`);
    imports += setup.schedule ? 3 : 2;
    if (!setup.secretInSync) changes++;
    out(`✔ ${setup.tenant.tenant_id}: ${describe(setup)}`);
    out(`  spelled out (they differ from the defaults): ${a.spelledOut.length > 0 ? a.spelledOut.join(', ') : 'nothing'}`);
    if (!setup.secretInSync) out("  its connector's secret is out of date: the first apply sends the app's current secret to aPaaS");
  }
  if (opts.dryRun) {
    out(`\n--dry-run: ${fileName} would become:\n`);
    out(file.text());
    return 0;
  }
  file.save();
  out(`\n${file.existed ? 'updated' : 'created'} ${fileName}: ${adopted.length} tenant${adopted.length > 1 ? 's' : ''} added (nothing was written to any service)`);
  out('next: synthesize and plan (e.g. npm run ci:plan); the plan only imports:');
  out(`  Plan: ${imports} to import, 0 to add, ${changes} to change, 0 to destroy.`);
  out('then apply it, and remove the `import:` lines.');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      err(`adopt: ${error.message}\n`);
      err(USAGE);
      process.exit(2);
    }
    const message = error instanceof ProviderError ? `${error.summary}: ${error.detail}` : error instanceof Error ? error.message : String(error);
    err(`✘ adopt: ${message}`);
    err('nothing was written.');
    process.exit(1);
  },
);
