/** Names of the assets a single-executable provider carries: written by scripts/lib/sea.ts, read by launcher.ts. */
export const SEA_ASSETS = { bundle: 'provider.cjs', hash: 'provider.hash', codeCache: 'provider.v8cache' } as const;

/**
 * Node options the provider always runs with: in the single executable's `execArgv`,
 * on the launcher form's node command line, and when the build makes the V8 code cache
 * (V8 rejects a cache made under other flags).
 *
 * `--max-semi-space-size=2` (MiB; V8's default grows the young generation to 16): a
 * plan's provider keeps little alive, and a larger young generation only holds garbage
 * longer. Measured on a 100-tenant plan, 6 interleaved runs each (bench/profile.ts
 * method): peak RSS of the plan process 115–120 → 97–101 MB; wall and CPU time the same
 * within the run-to-run noise.
 */
export const PROVIDER_NODE_OPTIONS = ['--max-semi-space-size=2'] as const;
