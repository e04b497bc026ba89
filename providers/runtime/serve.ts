/**
 * Plugin process start-up: the go-plugin handshake Terraform expects.
 *
 * Order matters for start-up time: check the cookie and the client certificate,
 * mint the server certificate, bind the socket, print the one handshake line.
 * Everything a plan does not need is loaded lazily by the provider itself. How the
 * process ends (parent gone, signals, fatal errors) is lifecycle.ts.
 */
import { create } from '@bufbuild/protobuf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrpcServer } from './grpc-server';
import type { ProviderDefinition } from './interfaces';
import { PARENT_GONE_EXIT_CODE, onEveryExit, watchParent } from './lifecycle';
import { log } from './log';
import { APP_PROTOCOL_VERSION, CORE_PROTOCOL_VERSION, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from './protocol';
import type { ProviderServer } from './provider-server';
import { ClientCertificateError, checkClientCertificate, createServerCertificate } from './tls';

/** Writes nothing to stdout after the handshake: Terraform treats stdout as protocol. */
function guardStdout(): void {
  const toStderr = (chunk: unknown, ...rest: unknown[]) => (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest);
  process.stdout.write = toStderr as typeof process.stdout.write;
  console.log = console.error;
  console.info = console.error;
}

export async function serve<Client>(definition: ProviderDefinition<Client>): Promise<void> {
  if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    process.stderr.write(
      `This binary is a plugin (terraform-provider-${definition.name}). These are not meant to be executed directly.\n` +
        'Please execute the program that consumes these plugins, which will load any plugins automatically.\n',
    );
    process.exit(1);
  }
  const offered = (process.env.PLUGIN_PROTOCOL_VERSIONS ?? '').split(',').map((v) => v.trim());
  if (offered.length > 0 && offered[0] !== '' && !offered.includes(String(APP_PROTOCOL_VERSION))) {
    process.stderr.write(
      `terraform-provider-${definition.name} speaks plugin protocol ${APP_PROTOCOL_VERSION}, but the client offered ${offered.join(', ')}; use Terraform 1.0 or later.\n`,
    );
    process.exit(1);
  }

  const clientCert = process.env.PLUGIN_CLIENT_CERT;
  if (clientCert) {
    try {
      checkClientCertificate(clientCert);
    } catch (error) {
      if (!(error instanceof ClientCertificateError)) throw error;
      // Never serve with a weaker client check than the one Terraform asked for.
      process.stderr.write(`terraform-provider-${definition.name} refuses to start: ${error.message}. Terraform sets it to its own client certificate (PEM).\n`);
      process.exit(1);
    }
  }

  const writeHandshake = process.stdout.write.bind(process.stdout);
  guardStdout();
  // A Ctrl-C reaches the plugin's process group too; Terraform turns it into StopProvider.
  process.on('SIGINT', () => log('debug', 'ignoring SIGINT; waiting for StopProvider'));
  // With Terraform gone, writing a log line fails (EPIPE); that alone must not end the process.
  process.stderr.on('error', () => undefined);

  // The protocol code (message descriptors, handlers) loads right after the
  // handshake line is out, while Terraform is still connecting.
  let provider: ProviderServer | undefined;
  const load = () => (provider ??= (require('./server') as typeof import('./server')).createProviderServer(definition));
  const providerService = () => (require('./gen/tfplugin6_pb') as typeof import('./gen/tfplugin6_pb')).Provider;
  const controller = () => require('./gen/grpc_controller_pb') as typeof import('./gen/grpc_controller_pb');
  const cert = clientCert ? createServerCertificate() : undefined;
  const server = new GrpcServer({
    tls: cert && clientCert ? { key: cert.keyPem, cert: cert.certPem, clientCa: clientCert } : undefined,
    onCall: (path, code, ms) => log('trace', 'rpc', { rpc: path, status: code, ms }),
  });

  // go-plugin's transports: a unix socket, or TCP on loopback where there are none for
  // it (Windows: node would make a named pipe). QIANFAN_PLUGIN_NETWORK=tcp picks TCP
  // anywhere, so the Windows transport is tested against Terraform here (docs/distribution.md).
  const tcp = process.platform === 'win32' || process.env.QIANFAN_PLUGIN_NETWORK === 'tcp';
  const socketDir = tcp ? undefined : mkdtempSync(join(tmpdir(), 'plugin'));
  const socketPath = socketDir && join(socketDir, 'plugin.sock');
  // Shutdown, SIGTERM, SIGHUP, the parent going away, a fatal error: all end here.
  if (socketDir) onEveryExit(() => rmSync(socketDir, { recursive: true, force: true }));
  watchParent((parent, now) => {
    log('warn', 'the process that started the provider is gone; exiting', { parent, now });
    process.exit(PARENT_GONE_EXIT_CODE);
  });
  // Every tfplugin6.Provider method goes to the ProviderServer method of its name.
  server.addService('tfplugin6.Provider', providerService, load);
  server.addService('plugin.GRPCController', () => controller().GRPCController, () => ({
    shutdown: async () => {
      // Reply first; exit once the answer is on its way.
      setTimeout(() => process.exit(0), 10);
      return create(controller().EmptySchema);
    },
  }));

  const port = await server.listen(socketPath ?? { host: '127.0.0.1', port: 0 });
  const address = socketPath ? `unix|${socketPath}` : `tcp|127.0.0.1:${port}`;
  const certField = cert ? cert.certDer.toString('base64').replace(/=+$/, '') : '';
  writeHandshake(`${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|${address}|grpc|${certField}\n`);
  log('debug', 'plugin serving', { address, tls: !!cert });
  setImmediate(() => {
    load();
    providerService();
  });
}
