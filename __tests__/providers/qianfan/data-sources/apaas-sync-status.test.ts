/**
 * qianfan_apaas_sync_status through the provider server with a stub aPaaS client: the
 * figures of the latest run and the next scheduled one, nulls where there is nothing
 * to report, and a warning while the provider configuration is unknown.
 */
import { FakeApaas, stubClients } from '../../../helpers/qianfan-fakes';
import { plain, QianfanServer } from '../../../helpers/qianfan-server';

const T = 'qianfan_apaas_sync_status';
const NULLS = {
  user_source: null,
  connector_status: null,
  last_run_id: null,
  last_run_trigger: null,
  last_run_status: null,
  last_run_finished_at: null,
  last_run_error: null,
  departments_synced: null,
  employees_synced: null,
  next_run_at: null,
};

let apaas: FakeApaas;
let s: QianfanServer;
beforeEach(async () => {
  apaas = new FakeApaas();
  s = await QianfanServer.start(stubClients({ apaas }));
});

const connect = (tenantId: string) =>
  apaas.seedConnector(tenantId, { corp_key: 'apaas', well_known_url: 'https://idp.example/oidc/.well-known/openid-configuration', client_id: 'ai-1', client_secret: 's' });

test('a tenant without a connector: its user source, every other figure null', async () => {
  apaas.addTenant('t-1', 'yufu');
  const { state, diagnostics } = await s.readData(T, { tenant_id: 't-1' });
  expect(diagnostics).toEqual([]);
  expect(plain(state)).toEqual({ tenant_id: 't-1', ...NULLS, user_source: 'yufu' });
});

test('the latest run\'s figures, and the next scheduled run', async () => {
  apaas.addTenant('t-1');
  apaas.runOutcome = { status: 'failed', error: 'E-HR directory answered 503' };
  connect('t-1');
  apaas.seedSchedule('t-1', { cron: '0 2 * * *', time_zone: 'UTC', mode: 'incremental', enabled: true });
  const run = apaas.connector('t-1')!.last_run!;
  const { state, diagnostics } = await s.readData(T, { tenant_id: 't-1' });
  expect(diagnostics).toEqual([]);
  expect(plain(state)).toEqual({
    tenant_id: 't-1',
    user_source: 'hr_assistant',
    connector_status: 'active',
    last_run_id: run.id,
    last_run_trigger: 'initial',
    last_run_status: 'failed',
    last_run_finished_at: run.finished_at,
    last_run_error: 'E-HR directory answered 503',
    departments_synced: run.counts.departments_total,
    employees_synced: run.counts.users_active,
    next_run_at: '2030-01-01T18:00:00.000Z',
  });
  expect(apaas.writes()).toEqual([]);
});

test('a connector without a schedule: next_run_at null', async () => {
  apaas.addTenant('t-1');
  connect('t-1');
  expect(plain((await s.readData(T, { tenant_id: 't-1' })).state)).toMatchObject({ connector_status: 'active', next_run_at: null });
});

test('while the provider configuration is unknown: a warning and nulls', async () => {
  const unknownConfig = await QianfanServer.start('unknown');
  const { state, diagnostics } = await unknownConfig.readData(T, { tenant_id: 't-1' });
  expect(diagnostics).toMatchObject([{ severity: 'warning', summary: 'Sync status not read yet' }]);
  expect(diagnostics[0].detail).toContain('"t-1"');
  expect(plain(state)).toEqual({ tenant_id: 't-1', ...NULLS });
  expect(apaas.calls).toEqual([]);
});

test('a malformed tenant id is refused at validate', async () => {
  expect(await s.validateData(T, { tenant_id: '../t-1' })).toMatchObject([{ severity: 'error', summary: 'Invalid tenant id', path: ['tenant_id'] }]);
  expect(await s.validateData(T, { tenant_id: 't-1' })).toEqual([]);
});
