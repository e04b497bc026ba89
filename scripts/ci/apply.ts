/**
 * CI, on merge: apply exactly the plans the plan step saved (cdktf.out/stacks/STACK/tfplan),
 * nothing re-planned. If the state moved since the plan was made, Terraform refuses the
 * stale plan and this fails: plan again and review.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ciEngine, eachStack, existingStacks, initStack, inStack, stackDir } from './lib';
import { selectStacks } from './stacks';

export async function applyAll(): Promise<string[]> {
  const engine = ciEngine();
  const stacks = selectStacks(existingStacks());
  for (const stack of stacks) {
    const plan = join(stackDir(stack), 'tfplan');
    if (!existsSync(plan)) throw new Error(`stack ${stack} has no saved plan (${plan}); run the plan step first`);
  }
  const lines = await eachStack(stacks, async (stack) => {
    await initStack(engine, stack);
    const result = await inStack(engine, stack, ['apply', '-input=false', '-no-color', '-lock-timeout=5m', 'tfplan']);
    return `stack ${stack}: ${/Apply complete!.*/.exec(result.stdout)?.[0] ?? 'applied'}`;
  });
  for (const line of lines) process.stdout.write(`${line}\n`);
  return stacks;
}

if (require.main === module) {
  applyAll().catch((error: unknown) => {
    process.stderr.write(`apply failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
