// Fault injection for the emulated services (docs/api/emulator-faults.md): latency, 429
// with Retry-After, 5xx, and connections dropped before the handler runs or after it
// committed. One injector per process, shared by every listener through the request
// wrapper in ../http.ts; switched by CLI flags or PUT /__control/faults.
export * from './flags';
export * from './injector';
export * from './random';
export * from './spec';
