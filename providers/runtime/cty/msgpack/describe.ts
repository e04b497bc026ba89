/** How an encode error names the JavaScript value it was given. */
import { CtyNumber } from '../number';
import { DynamicValue } from '../values';

export function describeJs(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Map) return 'Map';
  if (v instanceof CtyNumber) return `number ${v.toString()}`;
  if (v instanceof DynamicValue) return 'DynamicValue';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}
