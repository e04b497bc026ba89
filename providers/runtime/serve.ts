/**
 * Plugin process start-up: the go-plugin handshake Terraform expects.
 *
 * Order matters for start-up time: check the cookie, mint the certificate, bind
 * the socket, print the one handshake line. Everything a plan does not need is
 * loaded lazily by the provider itself.
 */
import { fromBinary, toBinary, type DescMessage, type DescService } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRPCController } from './gen/grpc_controller_pb';
import { Provider } from './gen/tfplugin6_pb';
import type { ProviderDefinition } from './interfaces';
import { log } from './log';
import { createProviderServer } from './server';
import { createServerCertificate } from './tls';

export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
const CORE_PROTOCOL_VERSION = 1;
const APP_PROTOCOL_VERSION = 6;

type UnaryImpl = (request: never) => Promise<unknown>;

/** A grpc-js service definition driven by the generated descriptors. */
export function grpcServiceDefinition(service: DescService): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    if (method.methodKind !== 'unary') continue;
    const input = method.input as DescMessage;
    const output = method.output as DescMessage;
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: unknown) => Buffer.from(toBinary(input, value as never)),
      requestDeserialize: (bytes: Buffer) => fromBinary(input, bytes),
      responseSerialize: (value: unknown) => Buffer.from(toBinary(output, value as never)),
      responseDeserialize: (bytes: Buffer) => fromBinary(output, bytes),
    };
  }
  return definition as grpc.ServiceDefinition;
}

function unaryHandlers(handlers: Record<string, UnaryImpl>, service: DescService): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = handlers[method.localName];
    if (!handler) continue; // grpc-js answers UNIMPLEMENTED for the rest
    impl[method.localName] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const started = process.hrtime.bigint();
      handler(call.request as never).then(
        (response) => {
          log('trace', 'rpc', { rpc: method.name, ms: Number(process.hrtime.bigint() - started) / 1e6 });
          callback(null, response);
        },
        (error: unknown) => {
          log('error', 'rpc failed', { rpc: method.name, error: error instanceof Error ? error.message : String(error) });
          callback({ code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error) });
        },
      );
    };
  }
  return impl;
}

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

  const writeHandshake = process.stdout.write.bind(process.stdout);
  guardStdout();
  // A Ctrl-C reaches the plugin's process group too; Terraform turns it into StopProvider.
  process.on('SIGINT', () => log('debug', 'ignoring SIGINT; waiting for StopProvider'));

  const provider = createProviderServer(definition);
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 256 * 1024 * 1024, 'grpc.max_send_message_length': 256 * 1024 * 1024 });
  server.addService(grpcServiceDefinition(Provider), unaryHandlers(provider.handlers, Provider));

  const socketDir = mkdtempSync(join(tmpdir(), 'plugin'));
  const socketPath = join(socketDir, 'plugin.sock');
  const cleanup = () => rmSync(socketDir, { recursive: true, force: true });
  const exit = (code: number) => {
    cleanup();
    process.exit(code);
  };
  server.addService(grpcServiceDefinition(GRPCController), {
    shutdown: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      callback(null, {});
      // Let the reply flush before the process goes away.
      setImmediate(() => {
        server.forceShutdown();
        exit(0);
      });
    },
  });
  process.on('SIGTERM', () => exit(0));

  const clientCert = process.env.PLUGIN_CLIENT_CERT;
  let credentials: grpc.ServerCredentials;
  let certField = '';
  if (clientCert) {
    const cert = createServerCertificate();
    credentials = grpc.ServerCredentials.createSsl(Buffer.from(clientCert), [
      { private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) },
    ], true);
    certField = cert.certDer.toString('base64').replace(/=+$/, '');
  } else {
    credentials = grpc.ServerCredentials.createInsecure();
  }

  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socketPath}`, credentials, (error) => (error ? reject(error) : resolve())),
  );
  writeHandshake(`${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|unix|${socketPath}|grpc|${certField}\n`);
  log('debug', 'plugin serving', { socket: socketPath, tls: !!clientCert });
}
