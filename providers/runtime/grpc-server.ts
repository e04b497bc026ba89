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
import { fromBinary, toBinary, type DescMessage, type DescService } from '@bufbuild/protobuf';
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

export type UnaryHandler = (request: never) => Promise<unknown>;

interface Method {
  localName: string;
  service: () => DescService;
  handler: UnaryHandler;
  codec?: { input: DescMessage; output: DescMessage };
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
  private readonly methods = new Map<string, Method>();
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
   * Routes `/{typeName}/{Method}` to handlers keyed by the method's local (camelCase)
   * name; other methods answer UNIMPLEMENTED. The descriptors are only needed to
   * decode and encode, so they are loaded on the first call, not at start-up.
   */
  addService(typeName: string, handlers: Record<string, UnaryHandler | undefined>, service: () => DescService): this {
    for (const [localName, handler] of Object.entries(handlers)) {
      if (!handler) continue;
      const name = localName[0].toUpperCase() + localName.slice(1);
      this.methods.set(`/${typeName}/${name}`, { localName, service, handler });
    }
    return this;
  }

  private codec(method: Method): { input: DescMessage; output: DescMessage } {
    if (!method.codec) {
      const desc = method.service().methods.find((m) => m.localName === method.localName);
      if (!desc || desc.methodKind !== 'unary') throw new GrpcError(Status.UNIMPLEMENTED, `no unary method ${method.localName}`);
      method.codec = { input: desc.input, output: desc.output };
    }
    return method.codec;
  }

  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => {
        this.server.off('error', reject);
        resolve();
      });
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
    const method = this.methods.get(path);
    if (!method) {
      stream.resume();
      finish(Status.UNIMPLEMENTED, `unknown method ${path}`);
      return;
    }

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
        stream.close(http2.constants.NGHTTP2_NO_ERROR);
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
      let request: unknown;
      let codec: { input: DescMessage; output: DescMessage };
      try {
        codec = this.codec(method);
        request = fromBinary(codec.input, body.subarray(5));
      } catch (error) {
        if (error instanceof GrpcError) return finish(error.code, error.message);
        return finish(Status.INTERNAL, `cannot decode the request of ${path}: ${(error as Error).message}`);
      }
      // A handler that throws synchronously, or a response that cannot be encoded,
      // must still answer the call (INTERNAL), not escape as an uncaught error.
      new Promise<unknown>((resolve) => resolve(method.handler(request as never)))
        .then((response) => toBinary(codec.output, response as never))
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
