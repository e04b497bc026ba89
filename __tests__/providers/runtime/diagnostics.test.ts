/** Diagnostics and the attribute-path rendering used in messages and logs. */
import { Diagnostics, ProviderError, formatPath } from '../../../providers/runtime/diagnostics';

test.each([
  [[], ''],
  [['name'], 'name'],
  [['redirect_uris', 2], 'redirect_uris[2]'],
  [['labels', { key: 'env' }], 'labels["env"]'],
  [['rule', 0, 'port'], 'rule[0].port'],
  [['labels', { key: 'a"b' }], 'labels["a\\"b"]'],
] as const)('formatPath(%j) = %s', (path, text) => {
  expect(formatPath([...path])).toBe(text);
});

test('ProviderError: summary, detail and path kept; the message joins summary and detail', () => {
  const e = new ProviderError('Cannot create', 'the name is taken', ['name']);
  expect([e.summary, e.detail, e.path, e.message, e.name]).toEqual(['Cannot create', 'the name is taken', ['name'], 'Cannot create: the name is taken', 'ProviderError']);
  expect(new ProviderError('Only a summary').message).toBe('Only a summary');
  expect(e).toBeInstanceOf(Error);
});

test('Diagnostics collects in order, with severity, detail (empty by default) and path', () => {
  const d = new Diagnostics().warning('w', 'detail', ['a']).error('e');
  expect(d.items).toEqual([
    { severity: 'warning', summary: 'w', detail: 'detail', path: ['a'] },
    { severity: 'error', summary: 'e', detail: '', path: undefined },
  ]);
});
