/**
 * qianfan_apaas_sync_schedule through the provider server with a stub aPaaS client:
 * cron and time-zone validation, the plan, the singleton create and delete under the
 * ownership rules (docs/api/ownership.md §5), update, import and the upgrade from
 * schema version 0.
 */
import { FakeApaas, stubClients } from '../../../helpers/qianfan-fakes';
import { errorsOf, plain, QianfanServer, warningsOf, type Input } from '../../../helpers/qianfan-server';

const T = 'qianfan_apaas_sync_schedule';
const OTHER_CLAIMANT = 'qf-claim:0123456789abcdef0123456789abcdef';
const CONFIG: Input = { tenant_id: 't-1', cron: '0 2 * * *' };
const SETTINGS = { cron: '30 3 * * 1-5', time_zone: 'UTC', mode: 'full' as const, enabled: false };

let apaas: FakeApaas;
let s: QianfanServer;
beforeEach(async () => {
  apaas = new FakeApaas();
  apaas.addTenant('t-1');
  apaas.seedConnector('t-1', { corp_key: 'apaas', well_known_url: 'https://idp.example/oidc/.well-known/openid-configuration', client_id: 'ai-1', client_secret: 's' }, { claimed_by: OTHER_CLAIMANT });
  apaas.calls.length = 0;
  s = await QianfanServer.start(stubClients({ apaas }));
});

async function created(config: Input = CONFIG) {
  const result = await s.create(T, config);
  expect(result.diagnostics).toEqual([]);
  apaas.calls.length = 0;
  return { state: result.state!, private: result.private };
}

describe('validate', () => {
  test.each(['0 2 * * *', '*/15 * * * *', '0 0 9 * * MON-FRI', '0 0 L * *'])('%s is a valid cron expression', async (cron) => {
    expect(await s.validate(T, { ...CONFIG, cron, time_zone: 'Europe/Berlin' })).toEqual([]);
  });

  test.each([
    ['0 2 * *', 'cron: expected 5 fields (minute hour day month weekday) or 6 with seconds first, got 4; got "0 2 * *"'],
    ['@daily', 'cron: expected 5 fields (minute hour day month weekday) or 6 with seconds first, got 1; got "@daily"'],
    ['61 * * * *', 'cron: expected a valid cron expression (Invalid value for minute: 61); got "61 * * * *"'],
    ['0 0 30 2 *', 'cron: expected a cron expression that fires at least once in the future; got "0 0 30 2 *"'],
  ])('cron %j is refused', async (cron, detail) => {
    const [d, ...rest] = await s.validate(T, { ...CONFIG, cron });
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'error', summary: 'Invalid cron expression', path: ['cron'] });
    expect(d.detail).toBe(detail);
  });

  // aPaaS refuses abbreviations, offsets and wrongly cased names (docs/api/apaas-admin.md §8,
  // docs/rules.md "Time zones, and why not CST"); validate refuses them too, before any apply.
  const EXPECTED_TZ = 'time_zone: expected an IANA time zone name such as "Asia/Shanghai" or "UTC"';
  test.each([
    ['Mars/Olympus_Mons', `${EXPECTED_TZ}; got "Mars/Olympus_Mons"`],
    ['+08:00', `${EXPECTED_TZ}; offsets change with daylight saving, name the place instead (e.g. "Etc/GMT-8" for a fixed UTC+8); got "+08:00"`],
    ['CST', `${EXPECTED_TZ}; abbreviations and legacy names such as CST, EST or PRC are ambiguous; got "CST"`],
    ['asia/shanghai', `${EXPECTED_TZ}, spelled "Asia/Shanghai"; got "asia/shanghai"`],
    ['Asia/SHANGHAI', `${EXPECTED_TZ}, spelled "Asia/Shanghai"; got "Asia/SHANGHAI"`],
  ])('time_zone %j is refused', async (tz, detail) => {
    const [d, ...rest] = await s.validate(T, { ...CONFIG, time_zone: tz });
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'error', summary: 'Invalid time zone', path: ['time_zone'] });
    expect(d.detail).toBe(detail);
  });

  test('a link of the time-zone database (Asia/Kolkata, canonically Asia/Calcutta) is accepted', async () => {
    expect(await s.validate(T, { ...CONFIG, time_zone: 'Asia/Kolkata' })).toEqual([]);
  });

  // docs/rules.md: lower-case spellings are refused with the right spelling in the message.
  test('time_zone "asia/shanghai": the message gives the right spelling, as docs/rules.md says', async () => {
    const [d] = await s.validate(T, { ...CONFIG, time_zone: 'asia/shanghai' });
    expect(d.detail).toBe(`${EXPECTED_TZ}, spelled "Asia/Shanghai"; got "asia/shanghai"`);
  });

  test('mode must be full or incremental', async () => {
    const [d] = await s.validate(T, { ...CONFIG, mode: 'hourly' });
    expect(d).toMatchObject({ severity: 'error', summary: 'Invalid mode', path: ['mode'] });
    expect(d.detail).toBe('mode: expected one of full, incremental; got "hourly"');
  });
});

describe('plan', () => {
  test('defaults: Asia/Shanghai, incremental, enabled', async () => {
    const { planned, diagnostics } = await s.plan(T, { config: CONFIG });
    expect(diagnostics).toEqual([]);
    expect(plain(planned)).toEqual({ id: '(unknown)', tenant_id: 't-1', cron: '0 2 * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true });
    expect(apaas.calls).toEqual([]);
  });

  test('a tenant_id change plans a replacement; the private data stays as it is', async () => {
    const { state, private: priv } = await created();
    const plan = await s.plan(T, { prior: state, priorPrivate: priv, config: { ...CONFIG, tenant_id: 't-2' } });
    expect(plan.requiresReplace).toEqual([['tenant_id']]);
    expect(plan.private).toEqual(priv);
    expect((await s.plan(T, { prior: state, priorPrivate: priv, config: { ...CONFIG, cron: '0 3 * * *' } })).requiresReplace).toEqual([]);
  });
});

describe('create', () => {
  test('a create-only save under a creation key, then the claim', async () => {
    const result = await s.create(T, { ...CONFIG, ...SETTINGS });
    expect(result.diagnostics).toEqual([]);
    expect(apaas.methods()).toEqual(['putSchedule', 'claimSchedule']);
    const [, body, key] = apaas.callsOf('putSchedule')[0].args;
    expect(body).toEqual(SETTINGS);
    expect(apaas.schedule('t-1')).toMatchObject({ ...SETTINGS, creation_key: key, claimed_by: result.private!.claimant });
    expect(result.private).toEqual({ claimant: result.private!.claimant });
    expect(plain(result.state)).toEqual({ id: 't-1', tenant_id: 't-1', ...SETTINGS });
  });

  test('an orphan (unclaimed, creation key): adopted with a warning, claimed before the save', async () => {
    apaas.seedSchedule('t-1', { cron: '0 0 * * *', time_zone: 'UTC', mode: 'full', enabled: true }, { creation_key: 'k-interrupted' });
    const result = await s.create(T, CONFIG);
    expect(warningsOf(result.diagnostics).map((d) => d.summary)).toEqual(['Adopted The sync schedule of tenant "t-1"']);
    expect(apaas.methods()).toEqual(['putSchedule', 'getSchedule', 'claimSchedule', 'putSchedule']);
    expect(apaas.schedule('t-1')).toMatchObject({ cron: '0 2 * * *', time_zone: 'Asia/Shanghai', claimed_by: result.private!.claimant });
  });

  test('the answer of the create-only PUT lost and retried: its own creation key, no adoption', async () => {
    apaas.loseAnswer('putSchedule');
    const result = await s.create(T, CONFIG);
    expect(result.diagnostics).toEqual([]);
    expect(apaas.methods()).toEqual(['putSchedule', 'putSchedule', 'getSchedule', 'claimSchedule']);
  });

  test.each([
    ['claimed by another state', { creation_key: 'k', claimed_by: OTHER_CLAIMANT, claimed_at: '2026-04-01T00:00:00.000Z' }, 'it is managed by a Terraform state (claimed 2026-04-01T00:00:00.000Z)'],
    ['made in the console', { creation_key: null }, 'it was created outside this provider'],
  ])('a schedule %s: refused before any write', async (_what, owned, why) => {
    apaas.seedSchedule('t-1', { cron: '0 0 * * *', time_zone: 'UTC', mode: 'full', enabled: true }, owned);
    const before = structuredClone(apaas.schedule('t-1'));
    apaas.calls.length = 0;
    const result = await s.create(T, CONFIG);
    expect(result.diagnostics).toMatchObject([{ severity: 'error', summary: 'The sync schedule of tenant "t-1" already exists', path: ['tenant_id'] }]);
    expect(result.diagnostics[0].detail).toContain(why);
    expect(result.diagnostics[0].detail).toContain('terraform import <address> t-1');
    expect(apaas.writes()).toEqual([]);
    expect(apaas.schedule('t-1')).toEqual(before);
  });

  test('create_before_destroy on the same tenant: refused before any write, saying to drop it; the current schedule stays', async () => {
    const old = await created();
    const before = structuredClone(apaas.schedule('t-1'));
    const { created: next, deleted } = await s.replaceCreateBeforeDestroy(T, old.state, old.private, { ...CONFIG, cron: '0 4 * * *' });
    expect(errorsOf(next.diagnostics).map((d) => d.summary)).toEqual(['The sync schedule of tenant "t-1" already exists']);
    expect(errorsOf(next.diagnostics)[0].detail).toContain('remove create_before_destroy for it');
    expect(apaas.writes()).toEqual([]);
    expect(deleted).toBeNull();
    expect(apaas.schedule('t-1')).toEqual(before);
  });

  test('a tenant without a connector: aPaaS\'s refusal is the error, nothing claimed', async () => {
    apaas.addTenant('t-2');
    const result = await s.create(T, { ...CONFIG, tenant_id: 't-2' });
    expect(errorsOf(result.diagnostics)).toHaveLength(1);
    expect(errorsOf(result.diagnostics)[0].detail).toContain('no_connector');
    expect(apaas.writes()).toEqual([]);
  });
});

describe('update, read, delete, import', () => {
  test('an update saves the new settings and keeps the claimant', async () => {
    const { state, private: priv } = await created();
    const result = await s.update(T, state, priv, { ...CONFIG, ...SETTINGS });
    expect(apaas.methods()).toEqual(['putSchedule']);
    expect(apaas.callsOf('putSchedule')[0].args).toEqual(['t-1', SETTINGS, undefined]);
    expect(result.private).toEqual(priv);
    expect(plain(result.state)).toMatchObject(SETTINGS);
  });

  test('read: drift is read back; a deleted schedule reads as gone', async () => {
    const { state, private: priv } = await created();
    apaas.schedules.get('t-1')!.enabled = false;
    expect(plain((await s.read(T, state, priv)).state!.enabled)).toBe(false);
    apaas.schedules.clear();
    expect((await s.read(T, state, priv)).state).toBeNull();
  });

  test('delete sends the claimant; another owner\'s schedule is left with a warning; a gone one is success', async () => {
    const { state, private: priv } = await created();
    apaas.schedules.get('t-1')!.claimed_by = OTHER_CLAIMANT;
    expect((await s.delete(T, state, priv)).diagnostics).toMatchObject([{ severity: 'warning', summary: 'Sync schedule left in place' }]);
    expect(apaas.schedule('t-1')).not.toBeNull();
    apaas.schedules.get('t-1')!.claimed_by = priv!.claimant as string;
    expect(await s.delete(T, state, priv)).toMatchObject({ state: null, diagnostics: [] });
    expect(apaas.callsOf('deleteSchedule').map((c) => c.args)).toEqual([['t-1', priv!.claimant], ['t-1', priv!.claimant]]);
    expect(apaas.schedule('t-1')).toBeNull();
    expect(await s.delete(T, state, priv)).toMatchObject({ state: null, diagnostics: [] });
  });

  test('import takes over the claim it finds and plans no change for the same settings', async () => {
    apaas.seedSchedule('t-1', SETTINGS, { claimed_by: OTHER_CLAIMANT, claimed_at: '2026-02-02T00:00:00.000Z' });
    const result = await s.importState(T, 't-1');
    expect(result.diagnostics).toMatchObject([{ severity: 'warning', summary: 'Imported the sync schedule of tenant "t-1", which a Terraform state manages' }]);
    expect(result.diagnostics[0].detail).toContain('(since 2026-02-02T00:00:00.000Z)');
    expect(result.private).toEqual({ claimant: OTHER_CLAIMANT });
    const plan = await s.plan(T, { prior: result.state, priorPrivate: result.private, config: { ...CONFIG, ...SETTINGS } });
    expect(plain(plan.planned)).toEqual(plain(result.state));
    expect(errorsOf((await s.importState(T, 't-9')).diagnostics).map((d) => d.summary)).toEqual(['Cannot import non-existent remote object']);
  });
});

test('upgradeState from version 0: the next run and last-run figures are dropped', async () => {
  const v0 = {
    cron: '0 2 * * *',
    enabled: true,
    id: 't-1',
    last_run_departments_synced: null,
    last_run_employees_synced: 12,
    last_run_finished_at: null,
    last_run_status: 'succeeded',
    mode: 'incremental',
    next_run_at: '2026-12-02T18:00:00.000Z',
    tenant_id: 't-1',
    time_zone: 'Asia/Shanghai',
  };
  const { state, diagnostics } = await s.upgrade(T, 0, v0);
  expect(diagnostics).toEqual([]);
  expect(plain(state)).toEqual({ id: 't-1', tenant_id: 't-1', cron: '0 2 * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true });
});
