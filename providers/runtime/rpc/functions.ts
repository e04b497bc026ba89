/**
 * CallFunction: provider-defined functions are pure (no client). Their failures are a
 * FunctionError, with the index of the argument to blame where there is one.
 */
import { create } from '@bufbuild/protobuf';
import * as fromproto from '../fromproto';
import { FunctionCallError } from '../interfaces';
import type { ProviderServer } from '../provider-server';
import * as toproto from '../toproto';
import * as pb from '../gen/tfplugin6_pb';
import type { ServerState } from './state';

export function functionRpcs<Client>({ registry }: ServerState<Client>): Pick<ProviderServer, 'callFunction'> {
  return {
    async callFunction(request) {
      const f = registry.functions.get(request.name);
      if (!f) return create(pb.CallFunction_ResponseSchema, { error: { text: `this provider has no function "${request.name}"` } });
      try {
        if (request.arguments.length !== f.parameters.length) {
          throw new FunctionCallError(`expected ${f.parameters.length} arguments, got ${request.arguments.length}`);
        }
        const args = f.parameters.map((p, i) => fromproto.dynamicValue(p.type, request.arguments[i], `argument ${p.name}`));
        args.forEach((a, i) => {
          if (a === null && !f.parameters[i].allowNull) throw new FunctionCallError(`argument "${f.parameters[i].name}" must not be null`, i);
        });
        return create(pb.CallFunction_ResponseSchema, { result: toproto.dynamicValue(f.returnType, f.call(args)) });
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        const index = error instanceof FunctionCallError ? error.argumentIndex : undefined;
        return create(pb.CallFunction_ResponseSchema, { error: { text, functionArgument: index === undefined ? undefined : BigInt(index) } });
      }
    },
  };
}
