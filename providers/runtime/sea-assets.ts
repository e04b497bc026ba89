/** Names of the assets a single-executable provider carries: written by scripts/lib/sea.ts, read by launcher.ts. */
export const SEA_ASSETS = { bundle: 'provider.cjs', hash: 'provider.hash', codeCache: 'provider.v8cache' } as const;
