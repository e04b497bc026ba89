/**
 * CI, on a pull request (and before apply on merge): synthesize, `plan -out` every
 * stack, and write a readable summary of what changes — counts by action, per tenant —
 * to stdout and to plan-summary.md (for the pull request / job summary).
 *
 * Exit code: 0 when every plan succeeded (changes or not), 1 on any failure.
 * Credentials come from the environment (QIANFAN_*, PG_CONN_STR), never from files
 * in the repository.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ciEngine, eachStack, initStack, inStack, OUTDIR, synthStacks, tenantOfAddress } from './lib';
import { selectStacks } from './stacks';

type Action = 'create' | 'update' | 'replace' | 'delete' | 'no-op' | 'read';

interface PlanJson {
  resource_changes?: { address: string; change: { actions: string[] } }[];
  output_changes?: Record<string, { actions: string[] }>;
}

function actionOf(actions: string[]): Action {
  const a = actions.join(',');
  if (a === 'create') return 'create';
  if (a === 'update') return 'update';
  if (a === 'delete') return 'delete';
  if (a === 'delete,create' || a === 'create,delete') return 'replace';
  if (a === 'read') return 'read';
  return 'no-op';
}

export async function planAll(): Promise<{ summary: string; changed: boolean }> {
  const engine = ciEngine();
  // A CI matrix job plans its own stacks (QIANFAN_STACKS, from npm run ci:stacks); otherwise all.
  const stacks = selectStacks(synthStacks());
  const lines = [`## Qianfan tenants: plan (${engine.name} ${engine.version})`, ''];
  let changed = false;
  const sections = await eachStack(stacks, async (stack) => {
    const lines: string[] = [];
    await initStack(engine, stack);
    const plan = await inStack(engine, stack, ['plan', '-input=false', '-no-color', '-lock-timeout=5m', '-detailed-exitcode', '-out=tfplan'], [0, 2]);
    if (plan.code === 2) changed = true;
    const json = JSON.parse((await inStack(engine, stack, ['show', '-json', '-no-color', 'tfplan'])).stdout) as PlanJson;
    const owner = tenantOfAddress(stack);
    const perTenant = new Map<string, Record<Action, number>>();
    const details: string[] = [];
    for (const rc of json.resource_changes ?? []) {
      const action = actionOf(rc.change.actions);
      if (action === 'read') continue;
      const tenant = owner.get(rc.address) ?? '(other)';
      const counts = perTenant.get(tenant) ?? { create: 0, update: 0, replace: 0, delete: 0, 'no-op': 0, read: 0 };
      counts[action]++;
      perTenant.set(tenant, counts);
      if (action !== 'no-op') details.push(`- \`${rc.address}\`: **${action}** (tenant ${tenant})`);
    }
    lines.push(`### Stack \`${stack}\`: ${plan.code === 2 ? /Plan: .*/.exec(plan.stdout)?.[0] ?? 'changes' : 'no changes'}`, '');
    lines.push('| tenant | create | update | replace | delete | unchanged |', '|---|---|---|---|---|---|');
    for (const [tenant, c] of [...perTenant].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`| ${tenant} | ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${c['no-op']} |`);
    }
    lines.push('');
    if (details.length > 0) lines.push('<details><summary>changes</summary>', '', ...details, '', '</details>', '');
    return lines;
  });
  for (const section of sections) lines.push(...section);
  const summary = lines.join('\n');
  writeFileSync(join(OUTDIR, 'plan-summary.md'), summary);
  return { summary, changed };
}

if (require.main === module) {
  planAll().then(
    ({ summary }) => process.stdout.write(`${summary}\nsaved plans: ${OUTDIR}/stacks/<stack>/tfplan; summary: ${OUTDIR}/plan-summary.md\n`),
    (error: unknown) => {
      process.stderr.write(`plan failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
