/**
 * What the services accept, written once. The provider's validate RPCs, the
 * constructs' zod schemas, the tenants file and the emulator all call these, so synth
 * time, plan time and the service agree (docs/rules.md lists each rule and its users).
 * Each rule returns null when the value is fine, or a message saying what was expected.
 */
export * from './credentials';
export * from './durations';
export * from './ids';
export * from './oidc-app';
export * from './schedule';
export * from './text';
export * from './urls';
