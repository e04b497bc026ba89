/**
 * Per-RPC cost of the provider: each RPC a plan sends for one tenant's objects (the
 * validate calls, UpgradeResourceState, ReadResource, PlanResourceChange and the data
 * sources' reads), measured
 *   - in process: request bytes → protobuf → runtime → resource → response bytes, with
 *     the service clients answering at once (no HTTP: the protocol layer's cost);
 *   - over the wire: the same through the provider's gRPC server on a unix socket
 *     (HTTP/2, as Terraform calls it), 10 calls in flight like Terraform's parallelism.
 * Baseline, in the same run: the cheapest round trip the server has (an UNIMPLEMENTED
 * method), over the same socket.
 *
 * Usage: npm run bench:rpc -- [iterations=2000]
 */
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import * as http2 from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CtyNumber, encodeValue, type CtyValue } from '../providers/runtime/cty';
import { frame, GrpcServer } from '../providers/runtime/grpc-server';
import * as pb from '../providers/runtime/gen/tfplugin6_pb';
import type { ObjectValue, ProviderDefinition } from '../providers/runtime/interfaces';
import { blockType, type BlockSchema } from '../providers/runtime/schema';
import { createProviderServer, type ProviderServer } from '../providers/runtime/server';
import type { Connector, Schedule, Tenant } from '../providers/qianfan/clients/apaas';
import type { YufuApp } from '../providers/qianfan/clients/yufu';
import { DEFAULT_RETRY } from '../providers/qianfan/clients/http';
import type { QianfanClients } from '../providers/qianfan/config';
import { qianfanProvider } from '../providers/qianfan/provider';
import { median, say } from './lib';

const ISSUER = 'http://127.0.0.1:39311/sso/tn-adddc58d174e5f78feb318e976a6dfa6/ai-8cce11dabdba332bc6b56eff9a4a1eda/oidc';
const WELL_KNOWN = `${ISSUER}/.well-known/openid-configuration`;
const CLIENT_ID = 'ai-8cce11dabdba332bc6b56eff9a4a1eda';
const URI = 'https://apaas.weworkpro.tencent-cloud.com/bench-0/';
const AT = '2026-12-01T22:42:23.096Z';
const n = (x: number) => CtyNumber.of(x);
const owned = { creation_key: 'k', claimed_by: 'qf-claim:0', claimed_at: AT };

/** One tenant's objects as the services hold them (the shapes of docs/api/). */
const app: YufuApp = {
  id: 'app_bbe63d60826d624b32900e1b', client_id: CLIENT_ID, client_secret: 'secret-value-of-the-bench-app-000000000000', name: 'bench tenant 0',
  description: 'Single sign-on for aPaaS tenant bench-0', application_type: 'web', redirect_uris: [URI], post_logout_redirect_uris: [URI],
  grant_types: ['authorization_code', 'refresh_token'], scopes: ['openid', 'profile', 'email', 'offline_access'], require_pkce: true,
  access_token_lifetime: 7200, id_token_lifetime: 3600, refresh_token_lifetime: 2592000, issuer: ISSUER, well_known_url: WELL_KNOWN,
  client_secret_version: 1, ...owned, created_at: AT, updated_at: AT,
};
const run = {
  id: 'run_01a233c5fcf8023b5f96', tenant_id: 'bench-0', trigger: 'initial' as const, mode: 'full' as const, status: 'succeeded' as const,
  queued_at: AT, started_at: AT, finished_at: AT, error: null,
  counts: { departments_added: 8, departments_updated: 0, departments_disabled: 0, users_added: 10, users_updated: 0, users_disabled: 0, departments_total: 8, users_total: 10, users_active: 10 },
};
const tenant: Tenant = { tenant_id: 'bench-0', name: 'bench-0', user_source: 'hr_assistant', initialized_at: AT, source_switches_left: 0 };
const connector: Connector = {
  tenant_id: 'bench-0', user_source: 'hr_assistant', initialized_at: AT, corp_key: 'benchcorp', well_known_url: WELL_KNOWN, client_id: CLIENT_ID,
  client_secret_sha256: '0'.repeat(64), status: 'active', created_at: AT, updated_at: AT, ...owned, initial_run_id: run.id, last_run: run,
};
const schedule: Schedule = { tenant_id: 'bench-0', cron: '0 2 * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true, next_run_at: AT, created_at: AT, updated_at: AT, ...owned, last_run: null };

/** The clients, answering at once. */
const clients = {
  retry: DEFAULT_RETRY,
  timeoutMs: 30_000,
  yufu: async () => ({ getApp: async () => app, appsByClientId: async () => [app] }),
  apaas: async () => ({ getConnector: async () => connector, getSchedule: async () => schedule, getTenant: async () => tenant }),
} as unknown as QianfanClients;

const block = (kind: 'resource' | 'data', typeName: string): BlockSchema =>
  (kind === 'resource' ? qianfanProvider.resources : qianfanProvider.dataSources).find((d) => d.typeName === typeName)!.schema.block;

/** An object of the block's type: the given attributes, the rest null. */
function value(b: BlockSchema, given: Record<string, CtyValue>): ObjectValue {
  return Object.fromEntries(Object.keys(b.attributes).map((k) => [k, given[k] ?? null]));
}
const dv = (b: BlockSchema, v: ObjectValue) => create(pb.DynamicValueSchema, { msgpack: encodeValue(blockType(b), v) });

const APP = 'qianfan_yufu_oidc_app';
const CONNECTOR = 'qianfan_apaas_hr_connector';
const SCHEDULE = 'qianfan_apaas_sync_schedule';
const STATUS = 'qianfan_apaas_sync_status';
const appBlock = block('resource', APP);
const connectorBlock = block('resource', CONNECTOR);
const scheduleBlock = block('resource', SCHEDULE);
const statusBlock = block('data', STATUS);

const appConfig = value(appBlock, {
  name: app.name, description: app.description, redirect_uris: [URI], post_logout_redirect_uris: [URI],
  grant_types: ['authorization_code', 'refresh_token'], scopes: ['email', 'offline_access', 'openid', 'profile'], client_secret_version: n(1),
});
const appState = value(appBlock, {
  ...appConfig, id: app.id, application_type: 'web', require_pkce: true, access_token_lifetime: n(7200), id_token_lifetime: n(3600),
  refresh_token_lifetime: n(2592000), client_id: CLIENT_ID, issuer: ISSUER, well_known_url: WELL_KNOWN,
});
const connectorConfig = value(connectorBlock, { tenant_id: 'bench-0', corp_key: 'benchcorp', well_known_url: WELL_KNOWN, client_id: CLIENT_ID, client_secret_version: n(1) });
const connectorState = value(connectorBlock, {
  ...connectorConfig, id: 'bench-0', client_secret_in_sync: true, wait_for_initial_sync: true, initial_sync_timeout: '10m', created_at: AT, initialized_at: AT, user_source: 'hr_assistant',
});
const scheduleConfig = value(scheduleBlock, { tenant_id: 'bench-0', cron: '0 2 * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true });
const scheduleState = value(scheduleBlock, { ...scheduleConfig, id: 'bench-0' });
const statusConfig = value(statusBlock, { tenant_id: 'bench-0' });
const privateBytes = new TextEncoder().encode(JSON.stringify({ claimant: 'qf-claim:0', secret: 'yufu_app' }));
const caps = create(pb.ClientCapabilitiesSchema, { writeOnlyAttributesAllowed: true });

type Method = (typeof pb.Provider.method)[keyof typeof pb.Provider.method];

interface Case {
  name: string;
  method: Method;
  request: Uint8Array;
}

function rpcCase<M extends Method>(name: string, method: M, init: Parameters<typeof create<M['input']>>[1]): Case {
  return { name, method, request: toBinary(method.input, create(method.input, init)) };
}

function stateJson(state: ObjectValue): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(state, (_k, v: unknown) => (v instanceof CtyNumber ? Number(v.toString()) : v)));
}

const m = pb.Provider.method;
const CASES: Case[] = [
  rpcCase('ValidateResourceConfig (app)', m.validateResourceConfig, { typeName: APP, config: dv(appBlock, appConfig) }),
  rpcCase('ValidateResourceConfig (connector)', m.validateResourceConfig, { typeName: CONNECTOR, config: dv(connectorBlock, connectorConfig) }),
  rpcCase('ValidateResourceConfig (schedule)', m.validateResourceConfig, { typeName: SCHEDULE, config: dv(scheduleBlock, scheduleConfig) }),
  rpcCase('ValidateDataResourceConfig (status)', m.validateDataResourceConfig, { typeName: STATUS, config: dv(statusBlock, statusConfig) }),
  rpcCase('UpgradeResourceState (app)', m.upgradeResourceState, { typeName: APP, version: 1n, rawState: { json: stateJson(appState) } }),
  rpcCase('UpgradeResourceState (connector)', m.upgradeResourceState, { typeName: CONNECTOR, version: 1n, rawState: { json: stateJson(connectorState) } }),
  rpcCase('ReadResource (app)', m.readResource, { typeName: APP, currentState: dv(appBlock, appState), private: privateBytes, clientCapabilities: caps }),
  rpcCase('ReadResource (connector)', m.readResource, { typeName: CONNECTOR, currentState: dv(connectorBlock, connectorState), private: privateBytes, clientCapabilities: caps }),
  rpcCase('ReadResource (schedule)', m.readResource, { typeName: SCHEDULE, currentState: dv(scheduleBlock, scheduleState), private: privateBytes, clientCapabilities: caps }),
  rpcCase('PlanResourceChange (app, no change)', m.planResourceChange, {
    typeName: APP, priorState: dv(appBlock, appState), proposedNewState: dv(appBlock, appState), config: dv(appBlock, appConfig), priorPrivate: privateBytes, clientCapabilities: caps,
  }),
  rpcCase('PlanResourceChange (connector, no change)', m.planResourceChange, {
    typeName: CONNECTOR, priorState: dv(connectorBlock, connectorState), proposedNewState: dv(connectorBlock, connectorState), config: dv(connectorBlock, connectorConfig), priorPrivate: privateBytes, clientCapabilities: caps,
  }),
  rpcCase('ReadDataSource (sync status)', m.readDataSource, { typeName: STATUS, config: dv(statusBlock, statusConfig), clientCapabilities: caps }),
];

async function server(): Promise<ProviderServer> {
  const definition: ProviderDefinition<QianfanClients> = { ...qianfanProvider, configure: async () => clients };
  const s = createProviderServer(definition);
  const provider = qianfanProvider.schema.block;
  const r = await s.configureProvider(create(pb.ConfigureProvider_RequestSchema, { config: dv(provider, value(provider, {})) }));
  if (r.diagnostics.length > 0) throw new Error(`configure: ${r.diagnostics.map((d) => d.summary).join('; ')}`);
  return s;
}

/** µs per call, median of 5 rounds. */
async function inProcess(s: ProviderServer, c: Case, iterations: number): Promise<number> {
  const handler = (s as unknown as Record<string, (r: unknown) => Promise<unknown>>)[c.method.localName].bind(s);
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      const request = fromBinary(c.method.input as DescMessage, c.request);
      const response = (await handler(request)) as MessageShape<DescMessage>;
      const diagnostics = (response as { diagnostics?: pb.Diagnostic[] }).diagnostics ?? [];
      if (diagnostics.some((d) => d.severity === pb.Diagnostic_Severity.ERROR)) throw new Error(`${c.name}: ${diagnostics.map((d) => `${d.summary}: ${d.detail}`).join('; ')}`);
      toBinary(c.method.output as DescMessage, response);
    }
    rounds.push(Number(process.hrtime.bigint() - started) / 1000 / iterations);
  }
  return median(rounds);
}

/** µs per call over HTTP/2 with `parallel` calls in flight, median of 5 rounds. */
async function overTheWire(session: http2.ClientHttp2Session, path: string, body: Uint8Array, iterations: number, parallel = 10): Promise<number> {
  const framed = frame(body);
  const call = () =>
    new Promise<void>((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
      stream.on('data', () => undefined);
      stream.on('error', reject);
      stream.on('end', resolve);
      stream.end(framed);
    });
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(Array.from({ length: parallel }, async () => {
      while (next++ < iterations) await call();
    }));
    rounds.push(Number(process.hrtime.bigint() - started) / 1000 / iterations);
  }
  return median(rounds);
}

async function main() {
  const iterations = Number(process.argv[2] ?? 2000);
  const s = await server();
  const dir = mkdtempSync(join(tmpdir(), 'bench-rpc-'));
  const grpc = new GrpcServer().addService('tfplugin6.Provider', () => pb.Provider, () => s as never);
  await grpc.listen(join(dir, 'plugin.sock'));
  const session = http2.connect('http://localhost', { createConnection: () => require('node:net').connect(join(dir, 'plugin.sock')) });
  try {
    say(`per-RPC cost, ${iterations} calls per case, median of 5 rounds (Node ${process.version})`);
    for (const c of CASES) await inProcess(s, c, Math.ceil(iterations / 10)); // warm-up
    const baseline = await overTheWire(session, '/tfplugin6.Provider/NoSuchMethod', new Uint8Array(0), iterations);
    say(`  baseline: an UNIMPLEMENTED call over HTTP/2 (10 in flight)   ${baseline.toFixed(1).padStart(7)} µs`);
    say('  RPC                                        in process   over HTTP/2   ratio to baseline');
    let sumIn = 0;
    let sumWire = 0;
    for (const c of CASES) {
      const local = await inProcess(s, c, iterations);
      const wire = await overTheWire(session, `/tfplugin6.Provider/${c.method.name}`, c.request, iterations);
      sumIn += local;
      sumWire += wire;
      say(`  ${c.name.padEnd(42)} ${local.toFixed(1).padStart(7)} µs ${wire.toFixed(1).padStart(9)} µs ${(wire / baseline).toFixed(2).padStart(9)}×`);
    }
    say(`  mean of the ${CASES.length} RPCs                         ${(sumIn / CASES.length).toFixed(1).padStart(7)} µs ${(sumWire / CASES.length).toFixed(1).padStart(9)} µs ${(sumWire / CASES.length / baseline).toFixed(2).padStart(9)}×`);
  } finally {
    session.close();
    grpc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
