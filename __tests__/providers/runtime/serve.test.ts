/**
 * The provider as Terraform runs it: the built bundle started through its V8
 * code-cache launcher (what the plugin executable execs), its go-plugin handshake,
 * and real mTLS gRPC calls with @grpc/grpc-js standing in for Terraform's client.
 * Needs `npm run build` first (dist/provider/).
 */
import * as grpc from '@grpc/grpc-js';
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as tls from 'node:tls';
import { DataQianfanOidcDiscovery, QianfanProvider, YufuOidcApp } from '../../../constructs';
import { Testing } from '../../../constructs/framework';
import { EmptySchema } from '../../../providers/runtime/gen/grpc_controller_pb';
import * as pb from '../../../providers/runtime/gen/tfplugin6_pb';
import type { ProviderDefinition } from '../../../providers/runtime/interfaces';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../../../providers/runtime/protocol';
import { NOT_SERVED } from '../../../providers/runtime/provider-server';
import { createProviderServer } from '../../../providers/runtime/server';
import { createServerCertificate } from '../../../providers/runtime/tls';
import { clientCertificateCases } from '../../helpers/client-certs';

const DIST = resolve(__dirname, '..', '..', '..', 'dist', 'provider');
const LAUNCHER = join(DIST, 'launcher.cjs');
const BUNDLE = join(DIST, 'terraform-provider-qianfan.cjs');

interface Plugin {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const started: ChildProcess[] = [];
const cacheDir = mkdtempSync(join(tmpdir(), 'serve-test-cache'));
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(cacheDir, { recursive: true, force: true });
});

/** How the plugin executable starts the provider: node, the launcher, the bundle and its code-cache key. */
function providerCommand(env: Record<string, string | undefined>): { args: string[]; env: Record<string, string | undefined> } {
  if (!existsSync(BUNDLE) || !existsSync(LAUNCHER)) throw new Error(`${BUNDLE} or ${LAUNCHER} is missing: run npm run build first`);
  // The code-cache key, as scripts/build.ts computes it (so the build's warmed cache is used, not a new one written).
  const hash = createHash('sha256').update(readFileSync(BUNDLE)).digest('hex').slice(0, 16);
  const base: Record<string, string | undefined> = { ...process.env };
  for (const k of [MAGIC_COOKIE_KEY, 'PLUGIN_PROTOCOL_VERSIONS', 'PLUGIN_CLIENT_CERT', 'TF_LOG', 'TF_LOG_PROVIDER']) delete base[k];
  // Any code cache the launcher writes goes to a throwaway directory, not the user's.
  return { args: [LAUNCHER, BUNDLE, hash], env: { ...base, QIANFAN_CODE_CACHE_DIR: cacheDir, ...env } };
}

function launch(env: Record<string, string | undefined>): Plugin {
  const command = providerCommand(env);
  const child = spawn(process.execPath, command.args, { env: command.env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    // 'close', not 'exit': only then has everything the process wrote on stdout and stderr arrived.
    child.on('close', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function handshakeLine(plugin: Plugin): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (!plugin.stdout().includes('\n')) {
    if (plugin.child.exitCode !== null) throw new Error(`plugin exited before its handshake: ${plugin.stderr()}`);
    if (Date.now() > deadline) throw new Error('no handshake within 10 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  return plugin.stdout();
}

const HANDSHAKE = /^1\|6\|unix\|([^|\n]+)\|grpc\|([A-Za-z0-9+/]*)\n$/;

function call<I extends DescMessage, O extends DescMessage>(
  client: grpc.Client,
  path: string,
  input: I,
  output: O,
  request: MessageShape<I>,
): Promise<MessageShape<O>> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      path,
      (m: MessageShape<I>) => Buffer.from(toBinary(input, m)),
      (b: Buffer) => fromBinary(output, b),
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + 5000 },
      (error, response) => (error ? reject(error) : resolve(response as MessageShape<O>)),
    ),
  );
}

const provider = (method: string) => `/tfplugin6.Provider/${method}`;

describe('refusing to run', () => {
  // Started together: each is a separate node start-up.
  let noCookie: Plugin;
  let wrongCookie: Plugin;
  let protocol5: Plugin;
  beforeAll(() => {
    noCookie = launch({ PLUGIN_PROTOCOL_VERSIONS: '5,6' });
    wrongCookie = launch({ [MAGIC_COOKIE_KEY]: 'nope' });
    protocol5 = launch({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '5' });
  });

  test('without the magic cookie: exit 1, a message on stderr, nothing on stdout', async () => {
    const { code } = await noCookie.exited;
    expect(code).toBe(1);
    expect(noCookie.stdout()).toBe('');
    expect(noCookie.stderr()).toMatch(/plugin/i);
  });

  test('with a wrong cookie value: the same', async () => {
    expect((await wrongCookie.exited).code).toBe(1);
    expect(wrongCookie.stdout()).toBe('');
    expect(wrongCookie.stderr()).toMatch(/plugin/i);
  });

  test('offered only protocol 5: exit 1, says why on stderr, nothing on stdout', async () => {
    expect((await protocol5.exited).code).toBe(1);
    expect(protocol5.stdout()).toBe('');
    expect(protocol5.stderr()).toMatch(/6/);
  });
});

describe('refusing a PLUGIN_CLIENT_CERT it cannot trust: exit 1, the reason on stderr, no handshake line, no socket', () => {
  const cases = clientCertificateCases().bad.map(([what, pem, reason]) => {
    const tmp = mkdtempSync(join(tmpdir(), 'serve-test-tmp'));
    return { what, reason, tmp, plugin: undefined as Plugin | undefined, pem };
  });
  beforeAll(() => {
    for (const c of cases) c.plugin = launch({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '5,6', PLUGIN_CLIENT_CERT: c.pem, TMPDIR: c.tmp });
  });
  afterAll(() => {
    for (const c of cases) rmSync(c.tmp, { recursive: true, force: true });
  });

  test.each(cases.map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    const plugin = c.plugin!;
    const { code } = await plugin.exited;
    expect(code).toBe(1);
    expect(plugin.stdout()).toBe('');
    expect(plugin.stderr()).toMatch(/^terraform-provider-qianfan refuses to start: PLUGIN_CLIENT_CERT is not a usable client certificate: /);
    expect(plugin.stderr()).toMatch(c.reason);
    expect(readdirSync(c.tmp)).toEqual([]);
  });
});

describe('serving with mTLS (PLUGIN_CLIENT_CERT set)', () => {
  const clientCert = createServerCertificate();
  let plugin: Plugin;
  let socketPath: string;
  let serverCertDer: Buffer;
  let client: grpc.Client;
  let schema: pb.GetProviderSchema_Response;

  beforeAll(async () => {
    plugin = launch({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '5,6', PLUGIN_CLIENT_CERT: clientCert.certPem });
    const line = await handshakeLine(plugin);
    const match = HANDSHAKE.exec(line);
    if (!match) throw new Error(`unexpected handshake line ${JSON.stringify(line)}`);
    socketPath = match[1];
    serverCertDer = Buffer.from(match[2], 'base64');
    const serverPem = new X509Certificate(serverCertDer).toString();
    client = new grpc.Client(
      `unix://${socketPath}`,
      grpc.credentials.createSsl(Buffer.from(serverPem), Buffer.from(clientCert.keyPem), Buffer.from(clientCert.certPem)),
      { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' },
    );
    schema = await call(client, provider('GetProviderSchema'), pb.GetProviderSchema_RequestSchema, pb.GetProviderSchema_ResponseSchema, create(pb.GetProviderSchema_RequestSchema));
  });

  afterAll(() => client?.close());

  test('stdout is exactly one handshake line: 1|6|unix|<socket>|grpc|<base64 DER, no padding>', () => {
    expect(plugin.stdout()).toMatch(HANDSHAKE);
    expect(plugin.stdout().split('\n')).toHaveLength(2); // one line, then nothing
    expect(plugin.stdout()).not.toContain('=');
    expect(statSync(socketPath).isSocket()).toBe(true);
  });

  test('the certificate in the line parses and is the one the TLS server presents (ALPN h2)', async () => {
    const cert = new X509Certificate(serverCertDer);
    expect(cert.subjectAltName).toBe('DNS:localhost');
    const presented = await new Promise<{ raw: Buffer; alpn: string | false | null }>((resolve, reject) => {
      const socket = tls.connect({
        path: socketPath,
        servername: 'localhost',
        ca: cert.toString(),
        cert: clientCert.certPem,
        key: clientCert.keyPem,
        ALPNProtocols: ['h2'],
      });
      socket.once('secureConnect', () => {
        resolve({ raw: socket.getPeerCertificate().raw, alpn: socket.alpnProtocol });
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(presented.raw).toEqual(serverCertDer);
    expect(presented.alpn).toBe('h2');
  });

  test('GetProviderSchema: every attribute is exactly one of required / optional / computed (optional+computed allowed)', () => {
    expect(schema.diagnostics.filter((d) => d.severity === pb.Diagnostic_Severity.ERROR)).toEqual([]);
    expect(schema.provider?.block).toBeDefined();
    const all = [schema.provider!, ...Object.values(schema.resourceSchemas), ...Object.values(schema.dataSourceSchemas)];
    const check = (block: pb.Schema_Block) => {
      for (const a of block.attributes) expect([`${a.name}:100`, `${a.name}:010`, `${a.name}:001`, `${a.name}:011`]).toContain(`${a.name}:${[a.required, a.optional, a.computed].map(Number).join('')}`);
      for (const nested of block.blockTypes) check(nested.block!);
    };
    for (const s of all) check(s.block!);
  });

  test('GetProviderSchema serves the types the cdktf bindings synthesize, with every attribute they set', () => {
    expect(Object.keys(schema.resourceSchemas)).toContain(YufuOidcApp.tfResourceType);
    expect(Object.keys(schema.dataSourceSchemas)).toContain(DataQianfanOidcDiscovery.tfResourceType);
    // The attribute names each binding writes must be settable (not computed-only) in the served schema.
    const settable = (block: pb.Schema_Block | undefined) => new Set(block!.attributes.filter((a) => a.required || a.optional).map((a) => a.name));
    const synthesized = JSON.parse(
      Testing.synthScope((scope) => {
        new QianfanProvider(scope, 'p', { yufuAdminUrl: 'u', yufuDomain: 'd', yufuServiceAccountFile: 'f', yufuServiceAccount: 's', requestTimeout: '1s' });
        const app = new YufuOidcApp(scope, 'app', {
          name: 'n',
          description: 'd',
          applicationType: 'web',
          redirectUris: ['https://x.example/cb'],
          postLogoutRedirectUris: ['https://x.example/'],
          grantTypes: ['authorization_code'],
          scopes: ['openid'],
          requirePkce: true,
          accessTokenLifetime: 60,
          idTokenLifetime: 60,
          refreshTokenLifetime: 3600,
        });
        new DataQianfanOidcDiscovery(scope, 'd', { wellKnownUrl: app.wellKnownUrl });
      }),
    ) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    const appAttrs = Object.keys(synthesized.resource[YufuOidcApp.tfResourceType].app).filter((k) => k !== '//');
    expect(appAttrs.length).toBeGreaterThan(5);
    for (const k of appAttrs) expect(settable(schema.resourceSchemas[YufuOidcApp.tfResourceType].block).has(k) ? k : `${k} (not settable)`).toBe(k);
    const dataAttrs = Object.keys(synthesized.data[DataQianfanOidcDiscovery.tfResourceType].d).filter((k) => k !== '//');
    for (const k of dataAttrs) expect(settable(schema.dataSourceSchemas[DataQianfanOidcDiscovery.tfResourceType].block).has(k) ? k : `${k} (not settable)`).toBe(k);
    const providerAttrs = Object.keys((synthesized.provider.qianfan as unknown as Record<string, unknown>[])[0]).filter((k) => k !== 'alias');
    for (const k of providerAttrs) expect(settable(schema.provider!.block).has(k) ? k : `${k} (not settable)`).toBe(k);
  });

  test('GetMetadata lists the same resource and data source types', async () => {
    const m = await call(client, provider('GetMetadata'), pb.GetMetadata_RequestSchema, pb.GetMetadata_ResponseSchema, create(pb.GetMetadata_RequestSchema));
    expect(m.resources.map((r) => r.typeName).sort()).toEqual(Object.keys(schema.resourceSchemas).sort());
    expect(m.dataSources.map((r) => r.typeName).sort()).toEqual(Object.keys(schema.dataSourceSchemas).sort());
    expect(m.functions.map((f) => f.name).sort()).toEqual(Object.keys(schema.functions).sort());
  });

  test('StopProvider answers an empty Error', async () => {
    const r = await call(client, provider('StopProvider'), pb.StopProvider_RequestSchema, pb.StopProvider_ResponseSchema, create(pb.StopProvider_RequestSchema));
    expect(r.Error).toBe('');
  });

  test('an RPC the provider does not implement answers UNIMPLEMENTED', async () => {
    await expect(
      call(client, provider('MoveResourceState'), pb.MoveResourceState_RequestSchema, pb.MoveResourceState_ResponseSchema, create(pb.MoveResourceState_RequestSchema)),
    ).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
  });

  test('SIGINT does not stop it (Ctrl-C arrives as StopProvider)', async () => {
    plugin.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 150));
    expect(plugin.child.exitCode).toBeNull();
    const m = await call(client, provider('GetMetadata'), pb.GetMetadata_RequestSchema, pb.GetMetadata_ResponseSchema, create(pb.GetMetadata_RequestSchema));
    expect(m.resources.length).toBeGreaterThan(0);
  });

  test('after serving RPCs stdout still holds only the handshake line', () => {
    expect(plugin.stdout()).toMatch(HANDSHAKE);
  });

  test('GRPCController/Shutdown: answered, then the process exits 0 within 1 s and removes its socket directory', async () => {
    await call(client, '/plugin.GRPCController/Shutdown', EmptySchema, EmptySchema, create(EmptySchema));
    const answered = Date.now();
    const { code, at } = await plugin.exited;
    expect(code).toBe(0);
    expect(at - answered).toBeLessThan(1000);
    expect(existsSync(dirname(socketPath))).toBe(false);
    expect(plugin.stdout()).toMatch(HANDSHAKE);
  });
});

describe('serving without TLS (PLUGIN_CLIENT_CERT absent, as with TF_DISABLE_PLUGIN_TLS)', () => {
  test('the certificate field is empty, plaintext h2c works, SIGTERM exits 0 and cleans up', async () => {
    const plugin = launch({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6' });
    const match = HANDSHAKE.exec(await handshakeLine(plugin));
    expect(match).not.toBeNull();
    expect(match![2]).toBe('');
    const client = new grpc.Client(`unix://${match![1]}`, grpc.credentials.createInsecure());
    try {
      const r = await call(client, provider('StopProvider'), pb.StopProvider_RequestSchema, pb.StopProvider_ResponseSchema, create(pb.StopProvider_RequestSchema));
      expect(r.Error).toBe('');
    } finally {
      client.close();
    }
    plugin.child.kill('SIGTERM');
    expect((await plugin.exited).code).toBe(0);
    expect(existsSync(dirname(match![1]))).toBe(false);
    expect(plugin.stdout().split('\n')).toHaveLength(2);
  });
});

/** True while `pid` runs (a zombie, exited but not yet reaped by its new parent, counts as gone). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) if (condition()) return true;
  return condition();
}

describe('every way out removes the socket directory', () => {
  test('SIGHUP (a closed terminal): exits 129, socket directory removed', async () => {
    const plugin = launch({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6' });
    const socketPath = HANDSHAKE.exec(await handshakeLine(plugin))![1];
    plugin.child.kill('SIGHUP');
    expect((await plugin.exited).code).toBe(129);
    expect(existsSync(dirname(socketPath))).toBe(false);
  });

  test('its parent SIGKILLed mid-run (Terraform killed): the provider exits within a few seconds, socket directory removed', async () => {
    // A stand-in for Terraform: starts the provider with piped stdout/stderr, relays the
    // handshake line and reports the provider's pid; then it is killed with SIGKILL.
    const command = providerCommand({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6', PLUGIN_CLIENT_CERT: createServerCertificate().certPem });
    const parentScript = `
      const child = require('node:child_process').spawn(process.execPath, ${JSON.stringify(command.args)}, { stdio: ['ignore', 'pipe', 'pipe'] });
      process.stdout.write('pid ' + child.pid + '\\n');
      child.stdout.on('data', (d) => process.stdout.write(d));
      child.stderr.on('data', () => undefined);
      setInterval(() => undefined, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { env: command.env, stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(parent);
    let out = '';
    parent.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    expect(await waitUntil(() => /\|grpc\|/.test(out), 10_000)).toBe(true);
    const pid = Number(/^pid (\d+)$/m.exec(out)![1]);
    const socketPath = /\|unix\|([^|]+)\|grpc\|/.exec(out)![1];
    expect(running(pid) && existsSync(socketPath)).toBe(true);
    try {
      const killedAt = Date.now();
      parent.kill('SIGKILL');
      expect(await waitUntil(() => !running(pid), 5000)).toBe(true);
      expect(Date.now() - killedAt).toBeLessThan(5000);
      expect(existsSync(dirname(socketPath))).toBe(false);
    } finally {
      if (running(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});

describe('the RPCs served', () => {
  const definition: ProviderDefinition<null> = {
    name: 'test',
    version: '0',
    schema: { version: 0, block: { description: '', attributes: {} } },
    configure: async () => null,
    resources: [],
    dataSources: [],
    functions: [],
  };

  test('every unary method of tfplugin6.Provider but the ones listed as not served, and nothing else', () => {
    const served = Object.keys(createProviderServer(definition)).sort();
    const declared = pb.Provider.methods.filter((m) => m.methodKind === 'unary').map((m) => m.localName);
    expect(served).toEqual(declared.filter((name) => !(NOT_SERVED as readonly string[]).includes(name)).sort());
    expect(NOT_SERVED.every((name) => declared.includes(name))).toBe(true);
  });
});
