/**
 * A unary-only gRPC server on node:http2.
 *
 * Why not @grpc/grpc-js: loading it costs about 60 ms, as much as node's own
 * start-up, and Terraform pays the provider's start-up on every launch (about
 * four per apply). Every tfplugin6 RPC is unary, and unary gRPC over HTTP/2 is a
 * small, fixed protocol: one length-prefixed message in, one out, status in the
 * trailers (grpc/grpc doc/PROTOCOL-HTTP2.md). The tests drive this server with
 * @grpc/grpc-js as the client, and the e2e tests with Terraform's Go client.
 */
import { fromBinary, toBinary, type DescMethod, type Message, type MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import * as http2 from 'node:http2';

export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
} as const;

export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A service's implementation: for each unary method it serves, its request message in, its response message out. */
export type ServiceImplementation<M extends GenServiceMethods> = {
  [K in keyof M]?: (request: MessageShape<M[K]['input']>) => Promise<MessageShape<M[K]['output']>>;
};

/** What a call runs once its method is resolved: the transport sees messages, not their types. */
type Call = (request: Message) => Promise<Message>;

interface Service {
  descriptor: () => GenService<GenServiceMethods>;
  /** The implementation's method for a method's local (camelCase) name. */
  resolve: (localName: string) => Call | undefined;
  /** By gRPC method name, once the descriptor is loaded. */
  methods?: Map<string, DescMethod>;
}

export interface GrpcServerOptions {
  /** TLS with a required client certificate; plaintext h2c when absent. */
  tls?: { key: string; cert: string; clientCa: string };
  maxMessageBytes?: number;
  onCall?: (path: string, code: number, ms: number) => void;
}

/** grpc-message is percent-encoded: printable ASCII except '%' passes through. */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The 5-byte prefix: compressed flag, then the big-endian message length. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

export class GrpcServer {
  private readonly services = new Map<string, Service>();
  private readonly server: http2.Http2Server | http2.Http2SecureServer;
  private readonly maxMessageBytes: number;

  constructor(private readonly options: GrpcServerOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? 256 * 1024 * 1024;
    this.server = options.tls
      ? http2.createSecureServer({
          key: options.tls.key,
          cert: options.tls.cert,
          ca: options.tls.clientCa,
          requestCert: true,
          rejectUnauthorized: true,
          ALPNProtocols: ['h2'],
          minVersion: 'TLSv1.2',
        })
      : http2.createServer();
    this.server.on('stream', (stream, headers) => this.onStream(stream, headers));
    // A client that goes away mid-call is not the server's problem.
    this.server.on('sessionError', () => undefined);
  }

  /**
   * Routes `/{typeName}/{Method}` to the implementation's method of the same local
   * (camelCase) name; a method it does not implement, or one the service does not
   * declare, answers UNIMPLEMENTED. The descriptor and the implementation are both
   * loaded on the first call, not at start-up.
   */
  addService<M extends GenServiceMethods>(typeName: string, descriptor: () => GenService<M>, implementation: () => ServiceImplementation<M>): this {
    this.services.set(typeName, {
      descriptor,
      resolve: (localName) => {
        const methods = implementation();
        // The one place the types meet the wire: the method was looked up by its name in
        // this same service's descriptor, so its request and response types are the ones
        // the codec decodes and encodes.
        return (methods as Record<string, Call | undefined>)[localName];
      },
    });
    return this;
  }

  /** The method a path names, with its codec and its implementation; a GrpcError when there is none. */
  private route(path: string): { method: DescMethod; call: Call } {
    const [, typeName, name] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
    const service = typeName === undefined ? undefined : this.services.get(typeName);
    if (!service) throw new GrpcError(Status.UNIMPLEMENTED, `unknown method ${path}`);
    service.methods ??= new Map(service.descriptor().methods.map((m) => [m.name, m]));
    const method = service.methods.get(name);
    const call = method?.methodKind === 'unary' ? service.resolve(method.localName) : undefined;
    if (!method || !call) throw new GrpcError(Status.UNIMPLEMENTED, `unknown method ${path}`);
    return { method, call };
  }

  /** Listens on a unix socket path, or on a loopback TCP port (the port is returned). */
  listen(target: string | { host: string; port: number }): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      const done = () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : undefined);
      };
      if (typeof target === 'string') this.server.listen(target, done);
      else this.server.listen(target.port, target.host, done);
    });
  }

  close(): void {
    this.server.close();
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const started = process.hrtime.bigint();
    const path = String(headers[':path'] ?? '');
    const finish = (code: number, message = '', body?: Uint8Array) => {
      this.options.onCall?.(path, code, Number(process.hrtime.bigint() - started) / 1e6);
      if (stream.destroyed || stream.closed) return;
      const trailers: http2.OutgoingHttpHeaders = { 'grpc-status': String(code) };
      if (message) trailers['grpc-message'] = encodeGrpcMessage(message);
      if (body === undefined) {
        // Trailers-only response.
        stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto', ...trailers }, { endStream: true });
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers(trailers));
      stream.end(frame(body));
    };
    stream.on('error', () => undefined);

    const contentType = String(headers['content-type'] ?? '');
    if (headers[':method'] !== 'POST' || !contentType.startsWith('application/grpc')) {
      stream.respond({ ':status': 415 }, { endStream: true });
      return;
    }
    let route: { method: DescMethod; call: Call };
    try {
      route = this.route(path);
    } catch (error) {
      stream.resume();
      if (error instanceof GrpcError) finish(error.code, error.message);
      else finish(Status.INTERNAL, `cannot load the service of ${path}: ${(error as Error).message}`);
      return;
    }
    const { method, call } = route;

    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      const wasTooLarge = size > this.maxMessageBytes + 5;
      size += chunk.length;
      if (wasTooLarge) return;
      if (size > this.maxMessageBytes + 5) {
        // Answer once, then ask the client to stop sending without error (RFC 9113
        // 8.1: RST_STREAM NO_ERROR after a complete response). A CANCEL here races
        // the status and the client reports CANCELLED instead of RESOURCE_EXHAUSTED.
        chunks.length = 0;
        finish(Status.RESOURCE_EXHAUSTED, `request larger than ${this.maxMessageBytes} bytes`);
        // Only once the status is on the wire: Node 22 would otherwise send the
        // RST_STREAM first, and the client sees a call ended without a status. The
        // client acknowledges a PING after reading every frame sent before it.
        const stop = () => stream.close(http2.constants.NGHTTP2_NO_ERROR);
        try {
          if (!stream.session?.ping(stop)) stop();
        } catch {
          stop(); // too many PINGs in flight: stop the stream now rather than not at all
        }
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (size > this.maxMessageBytes + 5) return;
      const body = Buffer.concat(chunks, size);
      if (body.length < 5) return finish(Status.INTERNAL, 'request has no gRPC message frame');
      if (body[0] !== 0) return finish(Status.UNIMPLEMENTED, 'compressed messages are not supported');
      const length = body.readUInt32BE(1);
      if (body.length !== 5 + length) return finish(Status.INTERNAL, `frame says ${length} bytes, got ${body.length - 5}`);
      let request: Message;
      try {
        request = fromBinary(method.input, body.subarray(5));
      } catch (error) {
        return finish(Status.INTERNAL, `cannot decode the request of ${path}: ${(error as Error).message}`);
      }
      // A handler that throws synchronously, or a response that cannot be encoded,
      // must still answer the call (INTERNAL), not escape as an uncaught error.
      new Promise<Message>((resolve) => resolve(call(request)))
        .then((response) => toBinary(method.output, response))
        .then(
          (body) => finish(Status.OK, '', body),
          (error: unknown) =>
            error instanceof GrpcError
              ? finish(error.code, error.message)
              : finish(Status.INTERNAL, error instanceof Error ? error.message : String(error)),
        );
    });
  }
}
