/**
 * docs/architecture.md names files as the places where things happen and rules live;
 * this fails when one of them moves or disappears, so the page cannot silently go stale.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/lib/paths';

const page = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
const named = [...new Set([...page.matchAll(/`((?:providers|constructs|emulator|scripts|docs|examples|__tests__)\/[^`\s]*|main\.ts|tenants\.yaml)`/g)].map((m) => m[1]))];

test('the page names the modules of every step of the flow', () => {
  expect(named.length).toBeGreaterThan(40);
});

test.each(named)('%s exists', (path) => {
  expect(existsSync(join(ROOT, path))).toBe(true);
});

test('it says plainly which APIs are not public', () => {
  expect(page).toMatch(/The Yufu tenant-level app-management API and the\s+aPaaS user-management API are not public: `docs\/api\/` is this project's contract/);
});
