/**
 * The unary gRPC server (node:http2), driven by the real @grpc/grpc-js client over a
 * unix socket, plaintext and with mutual TLS, and by a raw HTTP/2 client where the
 * wire form itself is the point (grpc/grpc doc/PROTOCOL-HTTP2.md).
 */
import * as grpc from '@grpc/grpc-js';
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrpcError, GrpcServer, Status, type GrpcServerOptions, type ServiceImplementation } from '../../../providers/runtime/grpc-server';
import { createServerCertificate, type ServerCertificate } from '../../../providers/runtime/tls';
import * as pb from '../../../providers/runtime/gen/tfplugin6_pb';

const PROVIDER = 'tfplugin6.Provider';
const dirs: string[] = [];
const servers: GrpcServer[] = [];
const clients: grpc.Client[] = [];

afterAll(() => {
  for (const c of clients) c.close();
  for (const s of servers) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type ProviderImplementation = ServiceImplementation<(typeof pb.Provider)['method']>;

async function startServer(implementation: ProviderImplementation, options: GrpcServerOptions = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'grpc-test'));
  dirs.push(dir);
  const socket = join(dir, 's.sock');
  const server = new GrpcServer(options).addService(PROVIDER, () => pb.Provider, () => implementation);
  servers.push(server);
  await server.listen(socket);
  return socket;
}

const TLS_OPTIONS = { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' };

function plainClient(socket: string): grpc.Client {
  const client = new grpc.Client(`unix://${socket}`, grpc.credentials.createInsecure());
  clients.push(client);
  return client;
}

function tlsClient(socket: string, serverCert: ServerCertificate, clientCert?: ServerCertificate): grpc.Client {
  const creds = grpc.credentials.createSsl(
    Buffer.from(serverCert.certPem),
    clientCert ? Buffer.from(clientCert.keyPem) : null,
    clientCert ? Buffer.from(clientCert.certPem) : null,
  );
  const client = new grpc.Client(`unix://${socket}`, creds, TLS_OPTIONS);
  clients.push(client);
  return client;
}

function call<I extends DescMessage, O extends DescMessage>(
  client: grpc.Client,
  method: string,
  input: I,
  output: O,
  request: MessageShape<I>,
): Promise<MessageShape<O>> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      method.startsWith('/') ? method : `/${PROVIDER}/${method}`,
      (m: MessageShape<I>) => Buffer.from(toBinary(input, m)),
      (b: Buffer) => fromBinary(output, b),
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + 4000 },
      (error, response) => (error ? reject(error) : resolve(response as MessageShape<O>)),
    );
  });
}

/** The echo used throughout: PlanResourceChange answers with what it was sent. */
const echo = (request: pb.PlanResourceChange_Request) =>
  create(pb.PlanResourceChange_ResponseSchema, {
    plannedState: request.proposedNewState,
    plannedPrivate: new TextEncoder().encode(request.typeName),
  });

function plan(client: grpc.Client, typeName: string, msgpack: Uint8Array) {
  return call(
    client,
    'PlanResourceChange',
    pb.PlanResourceChange_RequestSchema,
    pb.PlanResourceChange_ResponseSchema,
    create(pb.PlanResourceChange_RequestSchema, { typeName, proposedNewState: { msgpack } }),
  );
}

const stop = (client: grpc.Client, method = 'StopProvider') =>
  call(client, method, pb.StopProvider_RequestSchema, pb.StopProvider_ResponseSchema, create(pb.StopProvider_RequestSchema));

async function failure(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

/** One raw HTTP/2 request: response headers, trailers and body, as on the wire. */
function rawCall(
  socket: string,
  headers: http2.OutgoingHttpHeaders,
  body: Buffer,
): Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect('http://localhost', { createConnection: () => net.connect(socket) });
    session.on('error', reject);
    const req = session.request(headers);
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on('response', (h) => (responseHeaders = h));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('close', () => {
      session.close();
      resolve({ headers: responseHeaders, trailers, body: Buffer.concat(chunks) });
    });
    req.end(body);
  });
}

const grpcHeaders = (method: string): http2.OutgoingHttpHeaders => ({
  ':method': 'POST',
  ':path': `/${PROVIDER}/${method}`,
  'content-type': 'application/grpc',
  te: 'trailers',
});

/** The length-prefixed message: flag byte, 4-byte big-endian length, bytes. */
function lengthPrefixed(message: Uint8Array, compressed = 0, declaredLength = message.length): Buffer {
  const header = Buffer.alloc(5);
  header[0] = compressed;
  header.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([header, message]);
}

describe('plaintext (h2c) over a unix socket', () => {
  let socket: string;
  let client: grpc.Client;
  const calls: { path: string; code: number }[] = [];
  let handlerRuns = 0;

  beforeAll(async () => {
    socket = await startServer(
      {
        planResourceChange: async (request: pb.PlanResourceChange_Request) => {
          handlerRuns++;
          return echo(request);
        },
        readResource: async () => {
          throw new Error('déjà vu: 100% 完成\nnext line');
        },
        importResourceState: async () => {
          throw new GrpcError(Status.INVALID_ARGUMENT, 'bad id');
        },
        readDataSource: async () => {
          throw new GrpcError(5, 'not found'); // NOT_FOUND: not in the Status table, passed through as is
        },
        // Hostile implementations, past the type checker on purpose: one that breaks its
        // Promise contract by throwing synchronously, one whose response cannot be encoded.
        stopProvider: ((): never => {
          throw new Error('thrown synchronously');
        }) as ProviderImplementation['stopProvider'],
        getMetadata: (async () => ({ serverCapabilities: 'not a message' })) as unknown as ProviderImplementation['getMetadata'],
      },
      { onCall: (path, code) => calls.push({ path, code }), maxMessageBytes: 64 * 1024 },
    );
    client = plainClient(socket);
  });

  test('a unary call round-trips a real tfplugin6 message', async () => {
    const msgpack = Uint8Array.from([0x81, 0xa2, 0x69, 0x64, 0xa3, 0x61, 0x62, 0x63]); // {"id": "abc"}
    const response = await plan(client, 'test_thing', msgpack);
    expect(response.$typeName).toBe('tfplugin6.PlanResourceChange.Response');
    expect(Buffer.from(response.plannedState!.msgpack)).toEqual(Buffer.from(msgpack));
    expect(new TextDecoder().decode(response.plannedPrivate)).toBe('test_thing');
  });

  test('the response on the wire: HTTP 200, application/grpc, one uncompressed message, grpc-status 0 in the trailers', async () => {
    const request = create(pb.PlanResourceChange_RequestSchema, { typeName: 'wire', proposedNewState: { msgpack: Uint8Array.of(0xc0) } });
    const raw = await rawCall(socket, grpcHeaders('PlanResourceChange'), lengthPrefixed(toBinary(pb.PlanResourceChange_RequestSchema, request)));
    expect(raw.headers[':status']).toBe(200);
    expect(String(raw.headers['content-type'])).toMatch(/^application\/grpc/);
    expect(raw.headers['grpc-status']).toBeUndefined(); // status belongs in the trailers when there is a body
    expect(raw.trailers['grpc-status']).toBe('0');
    expect(raw.body[0]).toBe(0);
    const length = raw.body.readUInt32BE(1);
    expect(raw.body.length).toBe(5 + length);
    const decoded = fromBinary(pb.PlanResourceChange_ResponseSchema, raw.body.subarray(5));
    expect(Buffer.from(decoded.plannedState!.msgpack)).toEqual(Buffer.from([0xc0]));
  });

  test('an unknown method answers UNIMPLEMENTED, on this service and on another', async () => {
    const unregistered = await failure(
      call(client, 'MoveResourceState', pb.MoveResourceState_RequestSchema, pb.MoveResourceState_ResponseSchema, create(pb.MoveResourceState_RequestSchema)),
    );
    expect(unregistered.code).toBe(grpc.status.UNIMPLEMENTED);
    const otherService = await failure(stop(client, '/no.Such/Method'));
    expect(otherService.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  test('a handler that rejects answers INTERNAL with its message', async () => {
    const error = await failure(
      call(client, 'ReadResource', pb.ReadResource_RequestSchema, pb.ReadResource_ResponseSchema, create(pb.ReadResource_RequestSchema)),
    );
    expect(error.code).toBe(grpc.status.INTERNAL);
    expect(error.details).toBe('déjà vu: 100% 完成\nnext line');
  });

  test('grpc-message is percent-encoded: UTF-8 bytes outside 0x20-0x7E and "%" as %XX', async () => {
    const raw = await rawCall(socket, grpcHeaders('ReadResource'), lengthPrefixed(new Uint8Array(0)));
    // Trailers-Only response: the status travels in the one HEADERS frame.
    expect(raw.headers[':status']).toBe(200);
    expect(raw.headers['grpc-status']).toBe(String(grpc.status.INTERNAL));
    // é = C3 A9, à = C3 A0, 完 = E5 AE 8C, 成 = E6 88 90, '%' = 25, '\n' = 0A.
    expect(raw.headers['grpc-message']).toBe('d%C3%A9j%C3%A0 vu: 100%25 %E5%AE%8C%E6%88%90%0Anext line');
    expect(raw.body.length).toBe(0);
  });

  test('a handler that throws synchronously still gets an INTERNAL answer', async () => {
    const error = await failure(stop(client));
    expect(error.code).toBe(grpc.status.INTERNAL);
    expect(error.details).toBe('thrown synchronously');
  });

  test('a response that cannot be encoded answers INTERNAL instead of hanging the call', async () => {
    const error = await failure(
      call(client, 'GetMetadata', pb.GetMetadata_RequestSchema, pb.GetMetadata_ResponseSchema, create(pb.GetMetadata_RequestSchema)),
    );
    expect(error.code).toBe(grpc.status.INTERNAL);
  });

  test('a GrpcError code and message pass through', async () => {
    const invalid = await failure(
      call(client, 'ImportResourceState', pb.ImportResourceState_RequestSchema, pb.ImportResourceState_ResponseSchema, create(pb.ImportResourceState_RequestSchema)),
    );
    expect([invalid.code, invalid.details]).toEqual([grpc.status.INVALID_ARGUMENT, 'bad id']);
    const notFound = await failure(
      call(client, 'ReadDataSource', pb.ReadDataSource_RequestSchema, pb.ReadDataSource_ResponseSchema, create(pb.ReadDataSource_RequestSchema)),
    );
    expect([notFound.code, notFound.details]).toEqual([grpc.status.NOT_FOUND, 'not found']);
  });

  test('a message over the size limit answers RESOURCE_EXHAUSTED, once, and the handler never runs', async () => {
    for (const size of [64 * 1024 + 1, 1024 * 1024]) {
      const before = handlerRuns;
      calls.length = 0;
      const error = await failure(plan(client, 'big', new Uint8Array(size)));
      expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(handlerRuns).toBe(before);
      expect(calls).toEqual([{ path: `/${PROVIDER}/PlanResourceChange`, code: grpc.status.RESOURCE_EXHAUSTED }]);
    }
    // The limit is on the message, and one just under it is served on the same connection.
    const fits = await plan(client, 'fits', new Uint8Array(60 * 1024));
    expect(fits.plannedState!.msgpack.length).toBe(60 * 1024);
  });

  test('onCall sees every call once, with its path and status', async () => {
    calls.length = 0;
    await plan(client, 'x', Uint8Array.of(0xc0));
    await failure(stop(client, '/no.Such/Method'));
    expect(calls).toEqual([
      { path: `/${PROVIDER}/PlanResourceChange`, code: 0 },
      { path: '/no.Such/Method', code: grpc.status.UNIMPLEMENTED },
    ]);
  });

  test('concurrent calls are all answered, each with its own response', async () => {
    const n = 64;
    const requests = Array.from({ length: n }, (_, i) => plan(client, `thing_${i}`, Buffer.from(`payload-${i}`)));
    const responses = await Promise.all(requests);
    responses.forEach((r, i) => {
      expect(new TextDecoder().decode(r.plannedPrivate)).toBe(`thing_${i}`);
      expect(Buffer.from(r.plannedState!.msgpack).toString()).toBe(`payload-${i}`);
    });
  });

  test('non-gRPC requests: 415 for a wrong content-type (PROTOCOL-HTTP2: SHOULD respond 415)', async () => {
    const raw = await rawCall(socket, { ...grpcHeaders('PlanResourceChange'), 'content-type': 'application/json' }, Buffer.from('{}'));
    expect(raw.headers[':status']).toBe(415);
  });

  test('malformed frames: compressed flag without an encoding → UNIMPLEMENTED; a short frame → INTERNAL', async () => {
    const compressed = await rawCall(socket, grpcHeaders('PlanResourceChange'), lengthPrefixed(Uint8Array.of(1, 2, 3), 1));
    expect(compressed.headers['grpc-status']).toBe(String(grpc.status.UNIMPLEMENTED));
    const short = await rawCall(socket, grpcHeaders('PlanResourceChange'), lengthPrefixed(Uint8Array.of(1, 2, 3), 0, 10));
    expect(short.headers['grpc-status']).toBe(String(grpc.status.INTERNAL));
    const empty = await rawCall(socket, grpcHeaders('PlanResourceChange'), Buffer.alloc(0));
    expect(empty.headers['grpc-status']).toBe(String(grpc.status.INTERNAL));
  });
});

describe('mutual TLS', () => {
  let socket: string;
  let serverCert: ServerCertificate;
  let clientCert: ServerCertificate;
  let handlerRuns = 0;

  beforeAll(async () => {
    serverCert = createServerCertificate();
    clientCert = createServerCertificate();
    socket = await startServer(
      {
        planResourceChange: async (request: pb.PlanResourceChange_Request) => {
          handlerRuns++;
          return echo(request);
        },
        readResource: async () => {
          throw new Error('100% broken');
        },
      },
      { tls: { key: serverCert.keyPem, cert: serverCert.certPem, clientCa: clientCert.certPem } },
    );
  });

  test('the trusted client certificate completes a call', async () => {
    const client = tlsClient(socket, serverCert, clientCert);
    const response = await plan(client, 'tls_thing', Uint8Array.of(0xd4, 0x00, 0x00));
    expect(Buffer.from(response.plannedState!.msgpack)).toEqual(Buffer.from([0xd4, 0x00, 0x00]));
    const error = await failure(
      call(client, 'ReadResource', pb.ReadResource_RequestSchema, pb.ReadResource_ResponseSchema, create(pb.ReadResource_RequestSchema)),
    );
    expect([error.code, error.details]).toEqual([grpc.status.INTERNAL, '100% broken']);
    const unimplemented = await failure(stop(client));
    expect(unimplemented.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  test('concurrent calls over TLS are all answered', async () => {
    const client = tlsClient(socket, serverCert, clientCert);
    const responses = await Promise.all(Array.from({ length: 16 }, (_, i) => plan(client, `t${i}`, Buffer.from([i]))));
    responses.forEach((r, i) => expect(Buffer.from(r.plannedState!.msgpack)).toEqual(Buffer.from([i])));
  });

  test('a client with the wrong certificate is rejected and the handler never runs', async () => {
    const before = handlerRuns;
    const stranger = createServerCertificate();
    const error = await failure(plan(tlsClient(socket, serverCert, stranger), 'x', Uint8Array.of(0xc0)));
    expect(error.code).not.toBe(grpc.status.OK);
    expect(handlerRuns).toBe(before);
  });

  test('a client without a certificate is rejected and the handler never runs', async () => {
    const before = handlerRuns;
    const error = await failure(plan(tlsClient(socket, serverCert), 'x', Uint8Array.of(0xc0)));
    expect(error.code).not.toBe(grpc.status.OK);
    expect(handlerRuns).toBe(before);
  });

  test('a plaintext client gets nothing from a TLS server', async () => {
    const before = handlerRuns;
    const error = await failure(plan(plainClient(socket), 'x', Uint8Array.of(0xc0)));
    expect(error.code).not.toBe(grpc.status.OK);
    expect(handlerRuns).toBe(before);
  });
});
