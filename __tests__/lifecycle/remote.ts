/**
 * The remote truth: what the emulated Yufu, aPaaS and E-HR hold, read through their
 * admin APIs (never through Terraform), plus the out-of-band changes a console user
 * makes. One emulator per test file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { startEmulator, type RunningEmulator, type StartOptions } from '../../scripts/lib/emulator';
import { EhrControl, EhrData, type Department, type Employee } from '../emulator/ehr-helpers';
import { ApaasApi, readApaasCredentials } from '../helpers/tc3';
import { tempDir } from '../helpers/workdir';
import { YufuAdmin, type AdminApp } from '../helpers/yufu-admin';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface RemoteConnector {
  tenant_id: string;
  corp_key: string;
  well_known_url: string;
  client_id: string;
  client_secret_sha256: string;
  status: string;
  updated_at: string;
}

export interface RemoteSchedule {
  tenant_id: string;
  cron: string;
  time_zone: string;
  mode: string;
  enabled: boolean;
  next_run_at: string | null;
  updated_at: string;
}

export interface RemoteTenant {
  tenant_id: string;
  user_source: string | null;
  initialized_at: string | null;
}

export interface SyncRun {
  id: string;
  status: string;
  error: string | null;
  counts: Record<string, number>;
}

export interface ProvisionedTenant {
  tenantId: string;
  corpKey: string;
}

export class Remote {
  readonly yufu: YufuAdmin;
  readonly apaas: ApaasApi;
  readonly ehr: EhrControl;

  constructor(readonly emulator: RunningEmulator) {
    this.yufu = new YufuAdmin(emulator.info);
    this.apaas = new ApaasApi(emulator.info.apaas_url, readApaasCredentials(emulator.info.apaas_credentials_file));
    this.ehr = new EhrControl(emulator.info.ehr_url);
  }

  static async start(name: string, options: StartOptions = {}): Promise<Remote> {
    return new Remote(await startEmulator(tempDir(`lc-emulator-${name}`), options));
  }

  stop(): Promise<number | null> {
    return this.emulator.stop();
  }

  /** An E-HR corp with a few employees and an aPaaS tenant with no user source yet. */
  async newTenant(tag: string, employees = 4): Promise<ProvisionedTenant> {
    const rand = randomBytes(3).toString('hex');
    const corpKey = `lc${tag.replace(/[^a-z0-9]/g, '').slice(0, 20)}${rand}`;
    const tenantId = `lc-${tag.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40)}-${rand}`;
    await this.ehr.createCorp(corpKey, employees, rand);
    const created = await this.apaas.call('POST', '/__control/tenants', { tenant_id: tenantId });
    if (created.status !== 201) throw new Error(`create aPaaS tenant ${tenantId}: HTTP ${created.status} ${JSON.stringify(created.body)}`);
    return { tenantId, corpKey };
  }

  private ehrData?: Promise<EhrData>;

  /** The corp's directory as E-HR serves it (signed data API). */
  async directory(corpKey: string): Promise<{ departments: Department[]; employees: Employee[] }> {
    this.ehrData ??= this.ehr.createApp('*').then((app) => new EhrData(this.emulator.info.ehr_url, app));
    const data = await this.ehrData;
    return { departments: await data.all<Department>(corpKey, 'departments'), employees: await data.all<Employee>(corpKey, 'employees') };
  }

  /** HR changes between two plans: two hires and one leaver (the active head count moves). */
  async hireAndLeaver(corpKey: string, username: string): Promise<void> {
    const { departments, employees } = await this.directory(corpKey);
    const department = departments.find((d) => d.status === 'active')!;
    const leaver = employees.find((e) => e.status === 'active')!;
    await this.ehr.hire(corpKey, { name: '新同事', department_id: department.id, username: `${username}.1` });
    await this.ehr.hire(corpKey, { name: '新同事二', department_id: department.id, username: `${username}.2` });
    await this.ehr.patchEmployee(corpKey, leaver.id, { status: 'left' });
  }

  // Yufu

  appsNamed(name: string): Promise<AdminApp[]> {
    return this.yufu.appsNamed(name);
  }

  app(id: string): Promise<AdminApp | null> {
    return this.yufu.app(id);
  }

  async appsWithPrefix(prefix: string): Promise<AdminApp[]> {
    return (await this.yufu.listApps()).filter((a) => a.name.startsWith(prefix));
  }

  /** An app made in the Yufu console (or by another tool): not in any state. */
  async createApp(body: Record<string, unknown>): Promise<AdminApp> {
    const r = await this.yufu.call<AdminApp>('POST', '/api/v1/oidc-apps', body);
    if (r.status !== 201) throw new Error(`create app: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  patchApp(id: string, patch: Record<string, unknown>): Promise<AdminApp> {
    return this.yufu.patch(id, patch);
  }

  async rotateSecret(id: string): Promise<AdminApp> {
    const r = await this.yufu.call<AdminApp>('POST', `/api/v1/oidc-apps/${id}/client-secret:rotate`);
    if (r.status !== 200) throw new Error(`rotate ${id}: HTTP ${r.status}`);
    return r.body;
  }

  // aPaaS

  private async getOrNull<T>(path: string): Promise<T | null> {
    const r = await this.apaas.call<T>('GET', path);
    if (r.status === 404) return null;
    if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  connector(tenantId: string): Promise<RemoteConnector | null> {
    return this.getOrNull(`/api/v1/tenants/${tenantId}/hr-connector`);
  }

  schedule(tenantId: string): Promise<RemoteSchedule | null> {
    return this.getOrNull(`/api/v1/tenants/${tenantId}/sync-schedule`);
  }

  tenant(tenantId: string): Promise<RemoteTenant | null> {
    return this.getOrNull(`/api/v1/tenants/${tenantId}`);
  }

  async total(tenantId: string, kind: 'users' | 'departments', status?: 'active' | 'disabled'): Promise<number> {
    const r = await this.apaas.call<{ total: number }>('GET', `/api/v1/tenants/${tenantId}/${kind}?page_size=1${status ? `&status=${status}` : ''}`);
    if (r.status !== 200) throw new Error(`GET ${kind} of ${tenantId}: HTTP ${r.status}`);
    return r.body.total;
  }

  async putSchedule(tenantId: string, body: Record<string, unknown>): Promise<RemoteSchedule> {
    const r = await this.apaas.call<RemoteSchedule>('PUT', `/api/v1/tenants/${tenantId}/sync-schedule`, body);
    if (r.status !== 200) throw new Error(`PUT schedule of ${tenantId}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** What an administrator does in the aPaaS console: save the connector with other values. */
  async putConnector(tenantId: string, body: { corp_key: string; well_known_url: string; client_id: string; client_secret: string }): Promise<RemoteConnector> {
    const r = await this.apaas.call<RemoteConnector>('PUT', `/api/v1/tenants/${tenantId}/hr-connector`, body);
    if (r.status !== 200) throw new Error(`PUT connector of ${tenantId}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async syncNow(tenantId: string, mode: 'full' | 'incremental' = 'full'): Promise<SyncRun> {
    const started = await this.apaas.call<SyncRun>('POST', `/api/v1/tenants/${tenantId}/sync-runs`, { mode });
    if (started.status !== 202) throw new Error(`start sync of ${tenantId}: HTTP ${started.status} ${JSON.stringify(started.body)}`);
    for (let i = 0; i < 300; i++) {
      const r = await this.apaas.call<SyncRun>('GET', `/api/v1/tenants/${tenantId}/sync-runs/${started.body.id}`);
      if (r.body.status === 'succeeded' || r.body.status === 'failed') return r.body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`sync run ${started.body.id} of ${tenantId} did not finish`);
  }

  /** Every sync of this corp fails from now on (E-HR answers 503 to its data API), until clearFaults. */
  async failSyncsOf(corpKey: string): Promise<void> {
    const r = await this.ehr.call('PUT', '/faults', { seed: 'lifecycle', services: { ehr: { paths: [`/c/${corpKey}/`], errors: 1, error_statuses: [503] } } });
    if (r.status !== 200) throw new Error(`PUT /__control/faults: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  }

  async clearFaults(): Promise<void> {
    await this.ehr.call('DELETE', '/faults');
  }

  /** The emulator's request log from a mark on: one line per request, `service METHOD /path STATUS …`. */
  logMark(): number {
    return this.emulator.stderr().length;
  }

  logSince(mark: number): string[] {
    return this.emulator.stderr().slice(mark).split('\n').filter(Boolean);
  }
}
