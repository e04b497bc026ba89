// E-HR directory emulator, black-box: a real child process, real HTTP, the contract in
// docs/api/ehr-directory.md (signature, paging, modified_since) and its control endpoints.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EhrControl, EhrData, ehrHeaders, type Department, type EhrAppKey, type Employee, type Page } from './ehr-helpers';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { ROOT as PROJECT_ROOT } from '../../scripts/lib/paths';

jest.setTimeout(60_000);

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

let dataDir: string;
let emu: RunningEmulator;
let control: EhrControl;
let app: EhrAppKey;
let data: EhrData;

const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ehr-emu-'));
  emu = await startEmulator(dataDir);
  control = new EhrControl(emu.info.ehr_url);
  app = await control.createApp('*');
  data = new EhrData(emu.info.ehr_url, app);
});

afterAll(async () => {
  await emu?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('startup', () => {
  test('emulator.json gains the E-HR and aPaaS keys and keeps the Yufu ones', () => {
    const { info } = emu;
    for (const key of ['admin_url', 'idp_url', 'tenant_id', 'domain', 'service_account_file', 'data_dir', 'pid'] as const) {
      expect(info[key]).toBeDefined();
    }
    expect(info.ehr_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.apaas_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set([info.admin_url, info.idp_url, info.ehr_url, info.apaas_url]).size).toBe(4);
    expect(info.ehr_base_url_template).toBe(`${info.ehr_url}/c/{corpKey}`);
    expect(info.ehr_corp_key).toBe('apaas');
    expect(info.apaas_tenant_id).toBe('demo-tenant-001');
    expect(info.apaas_credentials_file).toBe(path.join(info.data_dir, 'apaas-credentials.json'));
    expect(fs.statSync(info.apaas_credentials_file).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(fs.readFileSync(info.apaas_credentials_file, 'utf8')) as { secretId: string; secretKey: string };
    expect(creds.secretId).toMatch(/^AKID[A-Za-z0-9]{32}$/);
    expect(creds.secretKey).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(emu.stdout()).toContain(info.ehr_url);
    expect(emu.stdout()).toContain(info.apaas_url);
  });

  test('--help prints usage and unknown flags are refused (util.parseArgs)', () => {
    const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
    const help = spawnSync(tsx, ['emulator/main.ts', '--help'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--ehr-employees');
    const bad = spawnSync(tsx, ['emulator/main.ts', '--no-such-flag'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--no-such-flag/);
    const badCount = spawnSync(tsx, ['emulator/main.ts', '--ehr-employees', 'many'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(badCount.status).toBe(2);
    expect(badCount.stderr).toMatch(/--ehr-employees: got "many"/);
  });
});

describe('signature', () => {
  test('a correctly signed request is answered', async () => {
    const r = await data.get<{ corp_key: string; name: string; employees_total: number; departments_total: number }>('apaas', 'corp');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ corp_key: 'apaas', name: '腾讯 HR 助手演示公司', employees_total: 200 });
    expect(r.body.departments_total).toBeGreaterThan(10);
  });

  test('wrong signature, stale or future timestamp, unknown key and missing headers → 401 unauthenticated', async () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['wrong token', ehrHeaders(app.app_key, 'not-the-token'), /SIGNATURE/],
      ['stale', ehrHeaders(app.app_key, app.token, now() - 301), /TIMESTAMP.*in the past/],
      ['future', ehrHeaders(app.app_key, app.token, now() + 600), /TIMESTAMP.*in the future/],
      ['milliseconds', ehrHeaders(app.app_key, app.token, Date.now()), /TIMESTAMP/],
      ['unknown key', ehrHeaders('ehrak-nope', app.token), /APPKEY/],
      ['missing', {}, /missing header/],
    ];
    for (const [what, headers, message] of cases) {
      const r = await data.get<ErrorBody>('apaas', 'employees', {}, headers);
      expect([what, r.status]).toEqual([what, 401]);
      expect(r.body.error.code).toBe('unauthenticated');
      expect(r.body.error.message).toMatch(message);
      expect(r.body.error.message).not.toContain(app.token);
    }
    const tampered = ehrHeaders(app.app_key, app.token);
    tampered['EHR-DATA-TIMESTAMP'] = String(Number(tampered['EHR-DATA-TIMESTAMP']) - 1);
    expect((await data.get('apaas', 'employees', {}, tampered)).status).toBe(401);
  });

  test('a key authorised for other corps → 403; an unknown corp → 404 corp_not_found', async () => {
    await control.createCorp('sigother', 5);
    const narrow = new EhrData(emu.info.ehr_url, await control.createApp(['sigother']));
    expect((await narrow.get('sigother', 'corp')).status).toBe(200);
    const forbidden = await narrow.get<ErrorBody>('apaas', 'employees');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('forbidden');
    const unknown = await data.get<ErrorBody>('nosuchcorp', 'corp');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('corp_not_found');
  });

  test('the request log carries no app token', async () => {
    await data.get('apaas', 'corp');
    await new Promise((r) => setTimeout(r, 50));
    expect(emu.stderr()).toMatch(/ehr GET \/c\/apaas\/api\/data\/v1\/corp 200/);
    expect(emu.stderr()).not.toContain(app.token);
  });
});

describe('the seeded directory', () => {
  let departments: Department[];
  let employees: Employee[];

  beforeAll(async () => {
    departments = await data.all<Department>('apaas', 'departments');
    employees = await data.all<Employee>('apaas', 'employees');
  });

  test('a department tree 3–4 levels deep under one root, with Chinese names', () => {
    const byId = new Map(departments.map((d) => [d.id, d]));
    const roots = departments.filter((d) => d.parent_id === null);
    expect(roots.map((r) => r.name)).toEqual(['腾讯 HR 助手演示公司']);
    const depth = (d: Department): number => (d.parent_id === null ? 1 : 1 + depth(byId.get(d.parent_id)!));
    const depths = new Set(departments.map(depth));
    expect(Math.max(...depths)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...depths)).toBeLessThanOrEqual(4);
    expect(departments.every((d) => /[\u4e00-\u9fff]/.test(d.name))).toBe(true);
    expect(departments.some((d) => d.status === 'dissolved')).toBe(true);
    for (const d of departments) expect(d.id).toMatch(/^d\d{4}$/);
  });

  test('200 employees with stable ids, realistic names, unique usernames and some leavers', () => {
    expect(employees).toHaveLength(200);
    expect(employees[0]!.id).toBe('e000001');
    expect(employees.map((e) => e.id)).toEqual([...employees.map((e) => e.id)].sort());
    expect(new Set(employees.map((e) => e.username)).size).toBe(200);
    const deptIds = new Set(departments.map((d) => d.id));
    for (const e of employees) {
      expect(e.name).toMatch(/^[\u4e00-\u9fff]{2,5}$/);
      expect(e.username).toMatch(/^[a-z]+\.[a-z]+\d*$/);
      expect(e.email).toBe(`${e.username}@apaas.example.com`);
      expect(deptIds.has(e.department_id)).toBe(true);
      expect(Number.isNaN(Date.parse(e.modified_at))).toBe(false);
      expect(e.hired_at).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (e.status === 'left') expect(e.left_at! > e.hired_at).toBe(true);
      else expect(e.left_at).toBeNull();
    }
    const leavers = employees.filter((e) => e.status === 'left').length;
    expect(leavers).toBeGreaterThan(0);
    expect(leavers).toBeLessThan(40);
  });

  test('a corp generated from the same seed and size is identical; another seed differs', async () => {
    await control.createCorp('detera', 120, 'seed-x');
    await control.createCorp('deterb', 120, 'seed-x');
    await control.createCorp('deterc', 120, 'seed-y');
    const strip = (list: Employee[]) => list.map(({ email: _e, ...rest }) => rest);
    const a = await data.all<Employee>('detera', 'employees');
    const b = await data.all<Employee>('deterb', 'employees');
    const c = await data.all<Employee>('deterc', 'employees');
    expect(strip(b)).toEqual(strip(a));
    expect(c.map((e) => e.name)).not.toEqual(a.map((e) => e.name));
    const da = await data.all<Department>('detera', 'departments');
    const db = await data.all<Department>('deterb', 'departments');
    expect(db.slice(1)).toEqual(da.slice(1));
  });
});

describe('paging and modified_since', () => {
  test('small pages concatenate to the full list, ordered by id, with a stable total', async () => {
    const full = await data.get<Page<Employee>>('apaas', 'employees', { page_size: 1000 });
    expect(full.body.total).toBe(full.body.items.length);
    const paged: Employee[] = [];
    for (let page = 1; page <= Math.ceil(full.body.total / 7); page++) {
      const r = await data.get<Page<Employee>>('apaas', 'employees', { page_index: page, page_size: 7 });
      expect(r.body).toMatchObject({ total: full.body.total, page_index: page, page_size: 7 });
      paged.push(...r.body.items);
    }
    expect(paged).toEqual(full.body.items);
    const beyond = await data.get<Page<Employee>>('apaas', 'employees', { page_index: 1000, page_size: 7 });
    expect(beyond.body.items).toEqual([]);
    expect(beyond.body.total).toBe(full.body.total);
    const dflt = await data.get<Page<Employee>>('apaas', 'employees');
    expect(dflt.body).toMatchObject({ page_index: 1, page_size: 100 });
    expect(dflt.body.items).toHaveLength(100);
  });

  test('page_size outside 1–1000 and bad modified_since → 400 naming the parameter', async () => {
    for (const [query, field] of [
      [{ page_size: 0 }, 'page_size'],
      [{ page_size: 1001 }, 'page_size'],
      [{ page_index: 0 }, 'page_index'],
      [{ modified_since: 'yesterday' }, 'modified_since'],
      [{ modified_since: '2025-13-01T00:00:00Z' }, 'modified_since'],
    ] as const) {
      const r = await data.get<ErrorBody>('apaas', 'employees', query);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_argument', field });
    }
  });

  test('modified_since returns exactly the records changed at or after it', async () => {
    await control.createCorp('modsince', 30);
    const before = new Date(Date.now() - 5).toISOString();
    const depts = await data.all<Department>('modsince', 'departments');
    const emps = await data.all<Employee>('modsince', 'employees');
    expect(emps.every((e) => e.modified_at < before)).toBe(true);
    expect((await data.get<Page<Employee>>('modsince', 'employees', { modified_since: before })).body.total).toBe(0);

    const team = await control.addDepartment('modsince', '新业务孵化部', depts[1]!.id);
    const hired = await control.hire('modsince', { name: '新同学', department_id: team.id, username: 'xin.tongxue', title: '工程师' });
    const leaver = emps.find((e) => e.status === 'active' && e.id !== emps[0]!.id)!;
    await control.patchEmployee('modsince', leaver.id, { status: 'left' });
    const mover = emps.find((e) => e.status === 'active' && e.id !== leaver.id)!;
    await control.patchEmployee('modsince', mover.id, { department_id: team.id });

    const changed = await data.all<Employee>('modsince', 'employees', { modified_since: before });
    expect(changed.map((e) => e.id).sort()).toEqual([hired.id, leaver.id, mover.id].sort());
    const gone = changed.find((e) => e.id === leaver.id)!;
    expect(gone.status).toBe('left');
    expect(gone.left_at).toBe(new Date().toISOString().slice(0, 10));
    expect(changed.find((e) => e.id === mover.id)!.department_id).toBe(team.id);
    expect(hired).toMatchObject({ username: 'xin.tongxue', status: 'active', left_at: null, department_id: team.id });
    expect(hired.id > emps[emps.length - 1]!.id).toBe(true);
    expect((await data.all<Department>('modsince', 'departments', { modified_since: before })).map((d) => d.id)).toEqual([team.id]);

    // An offset form of the same instant selects the same records.
    const d = new Date(Date.parse(before) + 8 * 3600_000).toISOString().replace('Z', '+08:00');
    expect((await data.all<Employee>('modsince', 'employees', { modified_since: d })).length).toBe(3);
  });
});

describe('control endpoints', () => {
  test('validate their input', async () => {
    await control.createCorp('ctlcheck', 10);
    const dup = await control.call<ErrorBody>('POST', '/corps', { corp_key: 'ctlcheck', employees: 1 });
    expect(dup.status).toBe(409);
    const badKey = await control.call<ErrorBody>('POST', '/corps', { corp_key: 'Bad-Key', employees: 1 });
    expect(badKey.body.error).toMatchObject({ code: 'invalid_argument', field: 'corp_key' });
    const tooMany = await control.call<ErrorBody>('POST', '/corps', { corp_key: 'toomany', employees: 10_000_000 });
    expect(tooMany.body.error.field).toBe('employees');
    const noDept = await control.call<ErrorBody>('POST', '/corps/ctlcheck/employees', { name: '张三', department_id: 'd9999' });
    expect(noDept.body.error).toMatchObject({ code: 'invalid_argument', field: 'department_id' });
    const unknownField = await control.call<ErrorBody>('POST', '/corps/ctlcheck/employees', { name: '张三', department_id: 'd0002', salary: 1 });
    expect(unknownField.body.error).toMatchObject({ code: 'unknown_field', field: 'salary' });
    expect((await control.call('PATCH', '/corps/ctlcheck/employees/e999999', { status: 'left' })).status).toBe(404);
    expect((await control.call<ErrorBody>('PATCH', '/corps/ctlcheck/employees/e000001', { status: 'fired' })).body.error.field).toBe('status');
    expect((await control.call('POST', '/corps/nosuch/employees', { name: '张三', department_id: 'd0002' })).status).toBe(404);
    const inUse = await control.call<ErrorBody>('DELETE', '/corps/ctlcheck/departments/d0001');
    expect(inUse.status).toBe(409);
    const cycle = await control.call<ErrorBody>('PATCH', '/corps/ctlcheck/departments/d0002', { parent_id: 'd0003' });
    expect(cycle.body.error.field).toBe('parent_id');
  });
});

describe('restart', () => {
  test('keeps the port, the directory and its changes', async () => {
    const before = emu.info;
    const hired = await control.hire('apaas', { name: '重启测试', department_id: 'd0002' });
    expect(await emu.stop()).toBe(0);
    emu = await startEmulator(dataDir, { args: ['--ehr-employees', '5'] });
    expect(emu.info.ehr_url).toBe(before.ehr_url);
    expect(emu.info.apaas_url).toBe(before.apaas_url);
    const r = await data.get<{ employees_total: number }>('apaas', 'corp');
    expect(r.status).toBe(200);
    expect(r.body.employees_total).toBe(201);
    const all = await data.all<Employee>('apaas', 'employees');
    expect(all.find((e) => e.id === hired.id)?.name).toBe('重启测试');
  });
});
