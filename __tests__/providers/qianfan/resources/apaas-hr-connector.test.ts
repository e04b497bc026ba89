/**
 * qianfan_apaas_hr_connector through the provider server with stub Yufu and aPaaS
 * clients: where the secret comes from (the Yufu app by client id, client_secret,
 * client_secret_wo), drift by digest, the plan-time user-source rules
 * (docs/api/apaas-admin.md §2), the ownership-proven create of a singleton
 * (docs/api/ownership.md §5), updates that only record, the conditional delete,
 * import and the state upgrade from schema version 0.
 */
import { create } from '@bufbuild/protobuf';
import { secretSha256 } from '../../../../providers/qianfan/clients/apaas';
import type { YufuApp } from '../../../../providers/qianfan/clients/yufu';
import * as pb from '../../../../providers/runtime/gen/tfplugin6_pb';
import { FakeApaas, FakeYufu, stubClients } from '../../../helpers/qianfan-fakes';
import { errorsOf, plain, QianfanServer, warningsOf, type Input } from '../../../helpers/qianfan-server';

const T = 'qianfan_apaas_hr_connector';
const OTHER_CLAIMANT = 'qf-claim:0123456789abcdef0123456789abcdef';
const OWN_SECRET = 'bring-your-own-secret-4f1c9a';

let yufu: FakeYufu;
let apaas: FakeApaas;
let app: YufuApp;
let s: QianfanServer;
let CONFIG: Input;

beforeEach(async () => {
  yufu = new FakeYufu();
  app = yufu.seed({ name: 'SSO', creation_key: 'k', claimed_by: OTHER_CLAIMANT, client_secret_version: 1 });
  apaas = new FakeApaas();
  apaas.addTenant('t-1');
  s = await QianfanServer.start(stubClients({ yufu, apaas }));
  CONFIG = { tenant_id: 't-1', corp_key: 'apaas', well_known_url: app.well_known_url, client_id: app.client_id };
});

const resetCalls = () => {
  yufu.calls.length = 0;
  apaas.calls.length = 0;
};

async function created(config: Input = CONFIG) {
  const result = await s.create(T, config);
  expect(errorsOf(result.diagnostics)).toEqual([]);
  resetCalls();
  return { state: result.state!, private: result.private };
}

/** The secret changed in the Yufu console (the app's label stays). */
const rotateInConsole = () => {
  yufu.app(app.id).client_secret = 'rotated-in-the-console-0000000000000000000';
};

describe('validate', () => {
  test('client_secret and client_secret_wo together: an error', async () => {
    const diagnostics = await s.validate(T, { ...CONFIG, client_secret: OWN_SECRET, client_secret_wo: OWN_SECRET, client_secret_wo_version: 1 });
    expect(diagnostics).toMatchObject([{ severity: 'error', summary: 'Conflicting client secrets', path: ['client_secret_wo'] }]);
  });

  test('client_secret_wo without client_secret_wo_version: a warning', async () => {
    const diagnostics = await s.validate(T, { ...CONFIG, client_secret_wo: OWN_SECRET });
    expect(diagnostics).toMatchObject([{ severity: 'warning', summary: 'No rotation trigger', path: ['client_secret_wo_version'] }]);
    expect(await s.validate(T, { ...CONFIG, client_secret_wo: OWN_SECRET, client_secret_wo_version: 1 })).toEqual([]);
  });

  test('client_secret_wo on an engine without write-only support: an error naming it', async () => {
    const diagnostics = await s.validate(T, { ...CONFIG, client_secret_wo: OWN_SECRET, client_secret_wo_version: 1 }, create(pb.ClientCapabilitiesSchema, {}));
    expect(diagnostics).toMatchObject([{ severity: 'error', summary: 'Write-only attribute not supported by this Terraform', path: ['client_secret_wo'] }]);
  });

  test.each<[string, Input, string, string]>([
    ['tenant_id', { tenant_id: 'bad id' }, 'Invalid tenant id', 'tenant_id: expected the aPaaS tenant id: 1–64 letters, digits, "-" or "_", starting with a letter or digit; got "bad id"'],
    ['corp_key', { corp_key: 'APaaS' }, 'Invalid Corp Key', 'corp_key: expected lowercase letters and digits only (Corp Keys are lowercase host labels); got "APaaS"'],
    ['well_known_url', { well_known_url: 'https://idp.example/oidc' }, 'Invalid well-known URL', 'well_known_url: expected the path to end in /.well-known/openid-configuration; got "https://idp.example/oidc"'],
    ['client_id', { client_id: ' ' }, 'Invalid client id', 'client_id: expected a non-empty client id (Yufu client ids look like ai- followed by 32 hex characters); got " "'],
    ['client_secret_version', { client_secret_version: 1.5 }, 'Invalid client_secret_version', 'client_secret_version: expected a whole number ≥ 0; got 1.5'],
    ['initial_sync_timeout', { initial_sync_timeout: 'ten minutes' }, 'Invalid initial_sync_timeout', 'initial_sync_timeout: expected a duration such as 30s, 500ms, 2m or 1h; got "ten minutes"'],
    ['initial_sync_timeout', { initial_sync_timeout: '0s' }, 'Invalid initial_sync_timeout', 'initial_sync_timeout: expected a positive duration such as 30s, 500ms, 2m or 1h; got "0s"'],
    ['initial_sync_timeout', { initial_sync_timeout: '25h' }, 'Invalid initial_sync_timeout', 'initial_sync_timeout: expected a duration of at most 24h; got "25h"'],
  ])('a bad %s is refused, naming it', async (field, change, summary, detail) => {
    const [d, ...rest] = await s.validate(T, { ...CONFIG, ...change });
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'error', summary, path: [field] });
    expect(d.detail).toBe(detail);
  });

  // A secret pasted with its trailing newline (e.g. from file()) is refused; the message
  // must mask it, as every message about a secret does (rules/text.ts shown(…, secret)):
  // at most 8 asterisks and the length, never a character of the value.
  test.each([
    ['client_secret', { client_secret: 'Sup3r-s3cret-value-77\n' }, 'client_secret: expected no control characters (found a line feed); got "********" (22 characters, masked)'],
    ['client_secret_wo', { client_secret_wo: 'Sup3r-s3cret-value-77\n', client_secret_wo_version: 1 }, 'client_secret_wo: expected no control characters (found a line feed); got "********" (22 characters, masked)'],
    ['client_secret (too long)', { client_secret: `Sup3r-s3cret-value-77${'x'.repeat(300)}` }, 'client_secret: expected at most 256 characters, got 321; got "********" (321 characters, masked)'],
  ])('a refused %s is masked in the message', async (what, change, detail) => {
    const [d, ...rest] = errorsOf(await s.validate(T, { ...CONFIG, ...change }));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'error', summary: 'Invalid client secret', path: [what.split(' ')[0]] });
    expect(d.detail).toBe(detail);
    expect(d.detail).not.toContain('Sup3r-s3cret');
  });
});

describe('plan', () => {
  test('a create plans client_secret_in_sync true and the schema defaults', async () => {
    const { planned, diagnostics } = await s.plan(T, { config: CONFIG });
    expect(diagnostics).toEqual([]);
    expect(plain(planned)).toMatchObject({ client_secret_in_sync: true, wait_for_initial_sync: true, initial_sync_timeout: '10m', id: '(unknown)', created_at: '(unknown)' });
  });

  test('with client_secret_wo, client_secret_in_sync is planned null and the write-only value is not in the plan', async () => {
    const { planned } = await s.plan(T, { config: { ...CONFIG, client_secret_wo: OWN_SECRET, client_secret_wo_version: 1 } });
    expect(plain(planned)).toMatchObject({ client_secret_in_sync: null, client_secret_wo: null, client_secret_wo_version: 1 });
  });

  test.each<[string, 'yufu' | 'wecom' | 'self_registration' | 'hr_assistant' | null, number | undefined, string | null]>([
    ['initialised from Yufu', 'yufu', undefined, '千帆玉符 (yufu)'],
    ['initialised from WeCom', 'wecom', undefined, '企业微信 (wecom)'],
    ['self-registration with its one switch used up', 'self_registration', 0, '自行注册 (self_registration)'],
    ['self-registration with a switch left', 'self_registration', 1, null],
    ['not initialised', null, undefined, null],
    ['already on the HR assistant', 'hr_assistant', undefined, null],
  ])('a new connector for a tenant %s', async (_what, source, switches, lockedBy) => {
    const tenant = apaas.addTenant('t-2', source);
    if (switches !== undefined) tenant.source_switches_left = switches;
    const { diagnostics } = await s.plan(T, { config: { ...CONFIG, tenant_id: 't-2' } });
    if (lockedBy === null) {
      expect(diagnostics).toEqual([]);
      return;
    }
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ severity: 'error', summary: "The tenant's user source cannot be changed", path: ['tenant_id'] });
    expect(diagnostics[0].detail).toContain(`aPaaS tenant "t-2" initialised its user data from ${lockedBy} on 2026-01-05T08:00:00.000Z`);
    expect(diagnostics[0].detail).toContain('Nothing was changed');
    expect(apaas.writes()).toEqual([]);
  });

  test('an unknown tenant: an error naming it', async () => {
    const { diagnostics } = await s.plan(T, { config: { ...CONFIG, tenant_id: 'nope' } });
    expect(diagnostics).toMatchObject([{ severity: 'error', summary: 'Unknown aPaaS tenant', path: ['tenant_id'] }]);
    expect(diagnostics[0].detail).toContain('"nope"');
  });

  test('a changed Corp Key on a tenant initialised from the HR assistant: an error naming both keys', async () => {
    const { state, private: priv } = await created();
    const { diagnostics } = await s.plan(T, { prior: state, priorPrivate: priv, config: { ...CONFIG, corp_key: 'other' } });
    expect(diagnostics).toMatchObject([{ severity: 'error', summary: "The tenant's HR organisation cannot be changed", path: ['corp_key'] }]);
    expect(diagnostics[0].detail).toContain('organisation "apaas"');
    expect(diagnostics[0].detail).toContain('switching it to "other"');
    expect(diagnostics[0].detail).toContain('Put corp_key back to "apaas"');
  });

  // A tenant_id change moves the connector to another tenant: the old tenant's Corp Key
  // says nothing about the new one (aPaaS checks the new tenant's own at the save).
  test('moving to another tenant already on the HR assistant is not judged by the old tenant\'s Corp Key', async () => {
    const { state, private: priv } = await created();
    apaas.addTenant('t-2', 'hr_assistant', 'neworg');
    const { diagnostics } = await s.plan(T, { prior: state, priorPrivate: priv, config: { ...CONFIG, tenant_id: 't-2', corp_key: 'neworg' } });
    expect(errorsOf(diagnostics)).toEqual([]);
  });

  test('an update that keeps tenant and Corp Key asks aPaaS nothing', async () => {
    const { state, private: priv } = await created();
    const { diagnostics } = await s.plan(T, { prior: state, priorPrivate: priv, config: { ...CONFIG, client_secret_version: 4 } });
    expect(diagnostics).toEqual([]);
    expect(apaas.calls).toEqual([]);
    expect(yufu.calls).toEqual([]);
  });

  test('while the provider configuration is unknown: a warning, no service call, the plan goes on', async () => {
    const unknownConfig = await QianfanServer.start('unknown');
    const { planned, diagnostics } = await unknownConfig.plan(T, { config: CONFIG });
    expect(diagnostics).toMatchObject([{ severity: 'warning', summary: 'User-source rules not checked yet', path: ['tenant_id'] }]);
    expect(plain(planned)).toMatchObject({ client_secret_in_sync: true, tenant_id: 't-1' });
    expect(unknownConfig.configured).toBe(0);
    expect(apaas.calls).toEqual([]);
  });

  test('the plan leaves the private data (claimant, secret source) as it is', async () => {
    const { state, private: priv } = await created();
    const { private: planned } = await s.plan(T, { prior: state, priorPrivate: priv, config: { ...CONFIG, client_secret_version: 2 } });
    expect(planned).toEqual(priv);
  });
});

describe('create', () => {
  test('by default the Yufu app\'s secret is read by client id and sent; the claim comes last; no secret in state', async () => {
    const result = await s.create(T, CONFIG);
    expect(result.diagnostics).toEqual([]);
    expect(yufu.methods()).toEqual(['appsByClientId']);
    expect(yufu.callsOf('appsByClientId')[0].args).toEqual([[app.client_id]]);
    expect(apaas.methods()).toEqual(['getTenant', 'putConnector', 'getRun', 'claimConnector']);
    const [, body, key] = apaas.callsOf('putConnector')[0].args as [string, { client_secret: string }, string];
    expect(body.client_secret).toBe(app.client_secret);
    expect(apaas.secrets.get('t-1')).toBe(app.client_secret);
    const connector = apaas.connector('t-1')!;
    expect(connector.creation_key).toBe(key);
    expect(connector.claimed_by).toBe(result.private!.claimant);
    expect(result.private).toEqual({ claimant: connector.claimed_by, secret: 'yufu_app' });
    expect(plain(result.state)).toMatchObject({ id: 't-1', client_secret: null, client_secret_in_sync: true, user_source: 'hr_assistant', created_at: connector.created_at });
    expect(JSON.stringify(plain(result.state))).not.toContain(app.client_secret);
  });

  test('no Yufu app with the client id: a clear error naming client_id, nothing written', async () => {
    const result = await s.create(T, { ...CONFIG, client_id: 'ai-00000000000000000000000000000000' });
    expect(result.diagnostics).toMatchObject([{ severity: 'error', summary: 'No Yufu application with this client id', path: ['client_id'] }]);
    expect(result.diagnostics[0].detail).toContain('"ai-00000000000000000000000000000000"');
    expect(result.diagnostics[0].detail).toContain('client_secret_wo');
    expect(apaas.callsOf('putConnector')).toEqual([]);
    expect(apaas.writes()).toEqual([]);
    expect(result.state).toBeNull();
  });

  test.each([
    ['client_secret', { client_secret: OWN_SECRET }, true],
    ['client_secret_wo', { client_secret_wo: OWN_SECRET, client_secret_wo_version: 1 }, null],
  ])('a secret brought as %s is sent as it is, Yufu is not asked', async (source, change, inSync) => {
    const result = await s.create(T, { ...CONFIG, ...change });
    expect(result.diagnostics).toEqual([]);
    expect(yufu.calls).toEqual([]);
    expect(apaas.secrets.get('t-1')).toBe(OWN_SECRET);
    expect(result.private).toMatchObject({ secret: source });
    expect(plain(result.state)).toMatchObject({ client_secret_in_sync: inSync, client_secret_wo: null });
  });

  test('the tenant already has a connector an interrupted apply left (unclaimed, creation key): adopted, claimed before it is saved', async () => {
    apaas.seedConnector('t-1', { corp_key: 'apaas', well_known_url: app.well_known_url, client_id: app.client_id, client_secret: 'stale' }, { creation_key: 'k-interrupted' });
    const result = await s.create(T, CONFIG);
    expect(errorsOf(result.diagnostics)).toEqual([]);
    expect(warningsOf(result.diagnostics).map((d) => d.summary)).toEqual(['Adopted The HR connector of tenant "t-1"']);
    expect(apaas.methods()).toEqual(['getTenant', 'putConnector', 'getConnector', 'claimConnector', 'putConnector', 'getRun']);
    expect(apaas.callsOf('putConnector')[0].wrote).toBe(false);
    expect(apaas.callsOf('claimConnector')[0].args).toEqual(['t-1', { claimant: result.private!.claimant, previousClaimant: null }]);
    expect(apaas.secrets.get('t-1')).toBe(app.client_secret);
    expect(apaas.connector('t-1')).toMatchObject({ claimed_by: result.private!.claimant, creation_key: 'k-interrupted' });
  });

  test('the answer of the create-only PUT was lost and the PUT retried: recognised by its own creation key, no adoption', async () => {
    apaas.loseAnswer('putConnector');
    const result = await s.create(T, CONFIG);
    expect(result.diagnostics).toEqual([]);
    expect(apaas.methods()).toEqual(['getTenant', 'putConnector', 'putConnector', 'getConnector', 'getRun', 'claimConnector']);
    expect(apaas.connector('t-1')!.claimed_by).toBe(result.private!.claimant);
  });

  test.each([
    ['claimed by another state', { creation_key: 'k-1', claimed_by: OTHER_CLAIMANT, claimed_at: '2026-04-01T00:00:00.000Z' }, 'it is managed by a Terraform state (claimed 2026-04-01T00:00:00.000Z)'],
    ['made in the console', { creation_key: null }, 'it was created outside this provider'],
  ])('the tenant has a connector %s: refused before any write, naming the import command', async (_what, owned, why) => {
    apaas.seedConnector('t-1', { corp_key: 'apaas', well_known_url: app.well_known_url, client_id: app.client_id, client_secret: 'theirs' }, owned);
    const before = structuredClone(apaas.connector('t-1'));
    resetCalls();
    const result = await s.create(T, CONFIG);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ severity: 'error', summary: 'The HR connector of tenant "t-1" already exists', path: ['tenant_id'] });
    expect(result.diagnostics[0].detail).toContain(why);
    expect(result.diagnostics[0].detail).toContain('import it (terraform import <address> t-1)');
    expect(apaas.writes()).toEqual([]);
    expect(apaas.connector('t-1')).toEqual(before);
    expect(apaas.secrets.get('t-1')).toBe('theirs');
  });

  test('create_before_destroy on the same tenant: refused before any write, saying to drop it; the current connector stays', async () => {
    const old = await created();
    const before = structuredClone(apaas.connector('t-1'));
    const { created: next, deleted } = await s.replaceCreateBeforeDestroy(T, old.state, old.private, CONFIG);
    expect(errorsOf(next.diagnostics)).toHaveLength(1);
    expect(errorsOf(next.diagnostics)[0].summary).toBe('The HR connector of tenant "t-1" already exists');
    expect(errorsOf(next.diagnostics)[0].detail).toContain('remove create_before_destroy for it');
    expect(apaas.writes()).toEqual([]);
    expect(deleted).toBeNull();
    expect(apaas.connector('t-1')).toEqual(before);
  });

  test('the initial sync fails: an error, but the connector is claimed and its state returned', async () => {
    apaas.runOutcome = { status: 'failed', error: 'E-HR directory answered 503' };
    const result = await s.create(T, CONFIG);
    expect(errorsOf(result.diagnostics)).toHaveLength(1);
    const [error] = errorsOf(result.diagnostics);
    expect(error.summary).toBe('The connector was saved, but the initial organisation sync failed');
    expect(error.detail).toContain(`run ${apaas.connector('t-1')!.initial_run_id}: E-HR directory answered 503`);
    expect(plain(result.state)).toMatchObject({ id: 't-1', tenant_id: 't-1' });
    expect(apaas.connector('t-1')!.claimed_by).toBe(result.private!.claimant);
  });

  test('wait_for_initial_sync = false: the run is not awaited', async () => {
    apaas.runOutcome = { status: 'failed', error: 'ignored' };
    const result = await s.create(T, { ...CONFIG, wait_for_initial_sync: false });
    expect(result.diagnostics).toEqual([]);
    expect(apaas.callsOf('getRun')).toEqual([]);
  });

  test('a sync still running at initial_sync_timeout: an error; the saved connector is adopted by the next apply', async () => {
    apaas.runOutcome = { status: 'running', error: null };
    const first = await s.create(T, { ...CONFIG, initial_sync_timeout: '1ms' });
    expect(errorsOf(first.diagnostics).map((d) => d.summary)).toEqual(['Initial organisation sync did not finish in time']);
    expect(first.state).toBeNull();
    apaas.runOutcome = { status: 'succeeded', error: null };
    const second = await s.create(T, { ...CONFIG, wait_for_initial_sync: false });
    expect(warningsOf(second.diagnostics).map((d) => d.summary)).toEqual(['Adopted The HR connector of tenant "t-1"']);
  });
});

describe('read', () => {
  test.each([
    ['the Yufu app\'s secret', {}, rotateInConsole],
    ['client_secret', { client_secret: OWN_SECRET }, () => apaas.connectors.set('t-1', { ...apaas.connectors.get('t-1')!, client_secret_sha256: secretSha256('changed') })],
  ])('client_secret_in_sync compares the digest aPaaS reports with %s', async (_what, change, drift) => {
    const { state, private: priv } = await created({ ...CONFIG, ...change });
    expect(plain((await s.read(T, state, priv)).state!.client_secret_in_sync)).toBe(true);
    drift();
    expect(plain((await s.read(T, state, priv)).state!.client_secret_in_sync)).toBe(false);
    expect(apaas.writes()).toEqual([]);
  });

  test('with client_secret_wo it cannot be compared: null', async () => {
    const { state, private: priv } = await created({ ...CONFIG, client_secret_wo: OWN_SECRET, client_secret_wo_version: 1 });
    expect(plain((await s.read(T, state, priv)).state!.client_secret_in_sync)).toBeNull();
    expect(yufu.calls).toEqual([]);
  });

  test('a state without the recorded source (0.1.0) infers it from client_secret', async () => {
    const { state } = await created({ ...CONFIG, client_secret: OWN_SECRET });
    expect(plain((await s.read(T, state, { claimant: null })).state!.client_secret_in_sync)).toBe(true);
    expect(yufu.calls).toEqual([]);
  });

  test('a connector deleted outside Terraform reads as gone', async () => {
    const { state, private: priv } = await created();
    apaas.connectors.clear();
    expect((await s.read(T, state, priv)).state).toBeNull();
  });
});

describe('update', () => {
  test('client_secret_version null → n is only recorded: no service call', async () => {
    const { state, private: priv } = await created();
    const result = await s.update(T, state, priv, { ...CONFIG, client_secret_version: 1 });
    expect(result.diagnostics).toEqual([]);
    expect(apaas.calls).toEqual([]);
    expect(yufu.calls).toEqual([]);
    expect(plain(result.state)).toMatchObject({ client_secret_version: 1, client_secret_in_sync: true });
    expect(result.private).toEqual(priv);
  });

  test('wait_for_initial_sync and initial_sync_timeout changes are only recorded', async () => {
    const { state, private: priv } = await created();
    await s.update(T, state, priv, { ...CONFIG, wait_for_initial_sync: false, initial_sync_timeout: '2m' });
    expect(apaas.calls).toEqual([]);
  });

  test('a rotation n → m sends the app\'s new secret', async () => {
    const { state, private: priv } = await created({ ...CONFIG, client_secret_version: 1 });
    await yufu.rotateSecret(app.id, 2);
    resetCalls();
    const result = await s.update(T, state, priv, { ...CONFIG, client_secret_version: 2 });
    expect(result.diagnostics).toEqual([]);
    // Only the secret changes, so aPaaS queues no sync run and the update waits for none.
    expect(apaas.methods()).toEqual(['putConnector']);
    expect(apaas.callsOf('putConnector')[0].args[2]).toBeUndefined();
    expect(apaas.secrets.get('t-1')).toBe(yufu.app(app.id).client_secret);
    expect(plain(result.state)).toMatchObject({ client_secret_version: 2, client_secret_in_sync: true });
  });

  test('a secret that drifted (in_sync false) is sent again', async () => {
    const { state, private: priv } = await created();
    rotateInConsole();
    const refreshed = await s.read(T, state, priv);
    expect(plain(refreshed.state!.client_secret_in_sync)).toBe(false);
    resetCalls();
    const result = await s.update(T, refreshed.state!, refreshed.private, CONFIG);
    expect(result.diagnostics).toEqual([]);
    expect(apaas.callsOf('putConnector')).toHaveLength(1);
    expect(apaas.secrets.get('t-1')).toBe(yufu.app(app.id).client_secret);
    expect(plain(result.state!.client_secret_in_sync)).toBe(true);
  });

  test('switching to client_secret_wo sends it and records the new source', async () => {
    const { state, private: priv } = await created();
    const result = await s.update(T, state, priv, { ...CONFIG, client_secret_wo: OWN_SECRET, client_secret_wo_version: 1 });
    expect(apaas.secrets.get('t-1')).toBe(OWN_SECRET);
    expect(result.private).toEqual({ ...priv, secret: 'client_secret_wo' });
    expect(plain(result.state)).toMatchObject({ client_secret_in_sync: null, client_secret_wo: null });
  });

  // aPaaS keeps initial_run_id from the save that queued it; a save that only changes the
  // secret queues none (docs/api/apaas-admin.md §8). The update then waits for, and
  // reports, the tenant's first run again, however long ago it failed.
  // aPaaS queues a new initial run for a new Corp Key, Well-known URL or client id
  // (docs/api/apaas-admin.md §8): that run, and only that one, is waited for.
  test('a new Well-known URL queues a run: the update waits for it and reports its failure', async () => {
    const { state, private: priv } = await created();
    const before = apaas.connector('t-1')!.initial_run_id;
    apaas.runOutcome = { status: 'failed', error: 'E-HR directory answered 503' };
    const moved = app.well_known_url.replace('/oidc/', '/oidc2/');
    expect(moved).not.toBe(app.well_known_url);
    const result = await s.update(T, state, priv, { ...CONFIG, well_known_url: moved });
    const run = apaas.connector('t-1')!.initial_run_id;
    expect(run).not.toBe(before);
    expect(apaas.methods()).toEqual(['putConnector', 'getRun']);
    expect(apaas.callsOf('getRun')[0].args).toEqual(['t-1', run]);
    expect(errorsOf(result.diagnostics)).toHaveLength(1);
    expect(errorsOf(result.diagnostics)[0].detail).toContain(`run ${run}: E-HR directory answered 503`);
  });

  test('a rotation re-sending only the secret does not report an old initial run\'s failure', async () => {
    apaas.runOutcome = { status: 'failed', error: 'E-HR directory answered 503' };
    apaas.seedConnector('t-1', { corp_key: 'apaas', well_known_url: app.well_known_url, client_id: app.client_id, client_secret: app.client_secret }, { creation_key: null });
    apaas.runOutcome = { status: 'succeeded', error: null };
    await apaas.startRun('t-1', 'full');
    const imported = await s.importState(T, 't-1');
    await yufu.rotateSecret(app.id, 2);
    const result = await s.update(T, imported.state!, imported.private, { ...CONFIG, client_secret_version: 2 });
    expect(apaas.secrets.get('t-1')).toBe(yufu.app(app.id).client_secret);
    expect(errorsOf(result.diagnostics)).toEqual([]);
  });
});

describe('delete', () => {
  test('sends the claimant; what aPaaS retains is said in a warning', async () => {
    const { state, private: priv } = await created();
    const result = await s.delete(T, state, priv);
    expect(apaas.callsOf('deleteConnector')[0].args).toEqual(['t-1', priv!.claimant]);
    expect(errorsOf(result.diagnostics)).toEqual([]);
    expect(warningsOf(result.diagnostics).map((d) => d.summary)).toEqual(["Some of the tenant's setup cannot be removed"]);
    expect(warningsOf(result.diagnostics)[0].detail).toContain('aPaaS keeps user_source, users, departments');
    expect(apaas.connector('t-1')).toBeNull();
  });

  test('a connector another owner holds now: left in place with a warning', async () => {
    const { state, private: priv } = await created();
    apaas.connectors.get('t-1')!.claimed_by = OTHER_CLAIMANT;
    const result = await s.delete(T, state, priv);
    expect(result.diagnostics).toMatchObject([{ severity: 'warning', summary: 'Connector left in place' }]);
    expect(apaas.connector('t-1')).not.toBeNull();
  });

  test('a connector already gone: success', async () => {
    const { state, private: priv } = await created();
    apaas.connectors.clear();
    expect(await s.delete(T, state, priv)).toMatchObject({ state: null, diagnostics: [] });
  });
});

describe('import', () => {
  test('client_secret_version is read from the app\'s label; defaults for what the connector cannot tell', async () => {
    apaas.seedConnector('t-1', { corp_key: 'apaas', well_known_url: app.well_known_url, client_id: app.client_id, client_secret: app.client_secret });
    const result = await s.importState(T, 't-1');
    expect(result.diagnostics).toEqual([]);
    expect(result.private).toEqual({ claimant: null, secret: 'yufu_app' });
    expect(plain(result.state)).toMatchObject({ id: 't-1', client_secret_version: 1, wait_for_initial_sync: true, initial_sync_timeout: '10m', client_secret: null, client_secret_in_sync: null });
    expect(apaas.writes()).toEqual([]);
  });

  test('a connector another state claimed: imported with a warning, taking over its claim', async () => {
    apaas.seedConnector('t-1', { corp_key: 'apaas', well_known_url: app.well_known_url, client_id: app.client_id, client_secret: app.client_secret }, { claimed_by: OTHER_CLAIMANT, claimed_at: '2026-02-02T00:00:00.000Z' });
    const result = await s.importState(T, 't-1');
    expect(result.diagnostics).toEqual([
      {
        severity: 'warning',
        summary: 'Imported the HR connector of tenant "t-1", which a Terraform state manages',
        detail: 'the HR connector of tenant "t-1" is claimed by a Terraform state (since 2026-02-02T00:00:00.000Z); two states managing one object undo each other\'s changes. Remove it from the other state first (terraform state rm).',
        path: [],
      },
    ]);
    expect(result.private).toEqual({ claimant: OTHER_CLAIMANT, secret: 'yufu_app' });
    expect(apaas.writes()).toEqual([]);
  });

  test('without Yufu configured (bring-your-own-secret setups): imported with client_secret_version null', async () => {
    const apaasOnly = await QianfanServer.start(stubClients({ apaas }));
    apaas.seedConnector('t-1', { corp_key: 'apaas', well_known_url: app.well_known_url, client_id: app.client_id, client_secret: OWN_SECRET });
    const result = await apaasOnly.importState(T, 't-1');
    expect(result.diagnostics).toEqual([]);
    expect(plain(result.state!.client_secret_version)).toBeNull();
  });

  test('a tenant without a connector: an error', async () => {
    expect(errorsOf((await s.importState(T, 't-1')).diagnostics).map((d) => d.summary)).toEqual(['Cannot import non-existent remote object']);
  });
});

describe('upgradeState from version 0', () => {
  const V0 = {
    client_id: 'ai-b4e96c017057944d691167959e95e0db',
    client_secret: null as string | null,
    client_secret_wo: null,
    client_secret_wo_version: null as number | null,
    corp_key: 'apaas',
    departments_synced: 28,
    employees_synced: 191,
    id: 't-1',
    initial_sync_timeout: '10m',
    initialized_at: '2026-12-01T19:43:25.447Z',
    last_sync_finished_at: '2026-12-01T19:43:25.486Z',
    last_sync_status: 'succeeded',
    status: 'active',
    tenant_id: 't-1',
    user_source: 'hr_assistant',
    wait_for_initial_sync: true,
    well_known_url: 'https://demo-idp.cig.tencentcs.com/sso/tn-1/ai-b4e96c017057944d691167959e95e0db/oidc/.well-known/openid-configuration',
  };
  const kept = {
    id: 't-1',
    tenant_id: 't-1',
    corp_key: 'apaas',
    well_known_url: V0.well_known_url,
    client_id: V0.client_id,
    client_secret_wo: null,
    client_secret_in_sync: null,
    wait_for_initial_sync: true,
    initial_sync_timeout: '10m',
    created_at: null,
    user_source: 'hr_assistant',
    initialized_at: '2026-12-01T19:43:25.447Z',
  };

  test('the stored secret is dropped; the sync figures go', async () => {
    const { state, diagnostics } = await s.upgrade(T, 0, { ...V0, client_secret: 'v0-stored-secret-xHaOy1FAwTH89nHgA1RaBpX' });
    expect(diagnostics).toEqual([]);
    expect(plain(state)).toEqual({ ...kept, client_secret: null, client_secret_version: null, client_secret_wo_version: null });
    expect(JSON.stringify(plain(state))).not.toContain('v0-stored-secret');
  });

  test('the write-only form\'s client_secret_wo_version becomes client_secret_version', async () => {
    const { state } = await s.upgrade(T, 0, { ...V0, client_secret_wo_version: 2 });
    expect(plain(state)).toEqual({ ...kept, client_secret: null, client_secret_version: 2, client_secret_wo_version: null });
  });

  // 0.1.0 connectors could bring their own secret with only aPaaS configured. Their
  // upgraded state has no recorded source (no private data) and no client_secret, so the
  // read can only guess the Yufu app as the source: not knowing must not fail a refresh.
  test.each([
    ['client_secret_wo', { client_secret_wo_version: 2 }],
    ['client_secret', { client_secret: OWN_SECRET }],
  ])('a 0.1.0 connector with its own %s, on a provider without Yufu: refresh works after the upgrade', async (_what, stored) => {
    const apaasOnly = await QianfanServer.start(stubClients({ apaas }));
    apaas.seedConnector('t-1', { corp_key: 'apaas', well_known_url: V0.well_known_url, client_id: V0.client_id, client_secret: OWN_SECRET });
    const { state } = await apaasOnly.upgrade(T, 0, { ...V0, ...stored });
    const refreshed = await apaasOnly.read(T, state!, null);
    expect(errorsOf(refreshed.diagnostics)).toEqual([]);
  });

  test('a current state keeps client_secret and client_secret_wo_version', async () => {
    const { departments_synced: _d, employees_synced: _e, last_sync_finished_at: _f, last_sync_status: _s, status: _st, ...v1 } = V0;
    const { state } = await s.upgrade(T, 1, { ...v1, client_secret: OWN_SECRET, client_secret_wo_version: 3, client_secret_version: 5, client_secret_in_sync: true, created_at: 'c' });
    expect(plain(state)).toMatchObject({ client_secret: OWN_SECRET, client_secret_wo_version: 3, client_secret_version: 5 });
  });
});
