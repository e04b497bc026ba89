/**
 * Drives a provider server RPC by RPC, the way Terraform does: every request and
 * response goes through its protobuf wire form, values through go-cty's msgpack.
 * For unit tests of the runtime and of resources (with a stub client).
 */
import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { decodeValue, encodeValue, type CtyType, type CtyValue } from '../../providers/runtime/cty';
import type { AttributePath } from '../../providers/runtime/diagnostics';
import * as pb from '../../providers/runtime/gen/tfplugin6_pb';
import type { ProviderServer, RpcName, RpcRequest, RpcResponse } from '../../providers/runtime/provider-server';

type Methods = (typeof pb.Provider)['method'];

/** Calls one RPC of `server` with a request built from `init`, both through the wire. */
export async function rpc<K extends RpcName>(server: ProviderServer, name: K, init: MessageInitShape<Methods[K]['input']>): Promise<RpcResponse<K>> {
  const method: Methods[K] = pb.Provider.method[name];
  // TypeScript widens the descriptor to the union of all methods; the name fixes which one it is.
  const request = fromBinary(method.input, toBinary(method.input, create(method.input, init))) as RpcRequest<K>;
  const response = await server[name](request);
  return fromBinary(method.output, toBinary(method.output, response)) as RpcResponse<K>;
}

/** A value as Terraform sends it (msgpack). */
export const dv = (type: CtyType, value: CtyValue): pb.DynamicValue => create(pb.DynamicValueSchema, { msgpack: encodeValue(type, value) });

/** A value in the JSON form some older paths use. */
export const jsonDv = (json: string): pb.DynamicValue => create(pb.DynamicValueSchema, { json: new TextEncoder().encode(json) });

/** The value in a response's DynamicValue. */
export function val(type: CtyType, value: pb.DynamicValue | undefined): CtyValue {
  if (!value) throw new Error('no DynamicValue in the response');
  return decodeValue(type, value.msgpack);
}

/** Private data bytes as this runtime writes them (UTF-8 JSON). */
export const privateBytes = (data: Record<string, unknown>): Uint8Array => new TextEncoder().encode(JSON.stringify(data));
export const privateData = (bytes: Uint8Array | undefined): unknown => (bytes && bytes.length > 0 ? JSON.parse(Buffer.from(bytes).toString('utf8')) : null);

export const errors = (diagnostics: pb.Diagnostic[]): pb.Diagnostic[] => diagnostics.filter((d) => d.severity === pb.Diagnostic_Severity.ERROR);
export const warnings = (diagnostics: pb.Diagnostic[]): pb.Diagnostic[] => diagnostics.filter((d) => d.severity === pb.Diagnostic_Severity.WARNING);

/** The steps of a diagnostic's attribute path, in the runtime's own form. */
export function pathOf(d: pb.Diagnostic): AttributePath {
  return (d.attribute?.steps ?? []).map((s) => {
    switch (s.selector.case) {
      case 'attributeName':
        return s.selector.value;
      case 'elementKeyInt':
        return Number(s.selector.value);
      case 'elementKeyString':
        return { key: s.selector.value };
      default:
        throw new Error('empty step');
    }
  });
}

/** Silences the provider log on stderr for a test, and returns what it wrote. */
export function captureStderr(): { lines: () => string[]; text: () => string; restore: () => void } {
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return { lines: () => written.join('').split('\n').filter(Boolean), text: () => written.join(''), restore: () => spy.mockRestore() };
}
