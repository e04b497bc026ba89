/**
 * The engines e2e tests run on: every one present. None present is a failure, and
 * an absent one is said out loud, never skipped silently.
 */
import { findEngines, type Engine } from '../../scripts/lib/engines';

export function enginesForTests(): Engine[] {
  const { present, missing } = findEngines();
  for (const m of missing) process.stderr.write(`!! e2e: engine ${m.name} NOT tested: ${m.why}\n`);
  if (present.length === 0) throw new Error('no Terraform engine found: e2e tests need terraform or tofu (npm install brings tofu)');
  process.stderr.write(`e2e engines: ${present.map((e) => `${e.name} ${e.version}`).join(', ')}\n`);
  return present;
}
