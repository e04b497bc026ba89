// E-HR persistence: corps, their department tree and employees, and the data-API app
// keys, in the shared emulator SQLite file.
import * as crypto from 'node:crypto';
import { type Db, migrate } from '../db';
import {
  departmentId,
  employeeId,
  generateDirectory,
  type DepartmentStatus,
  type EhrDepartment,
  type EhrEmployee,
  type EmployeeStatus,
} from './seed';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE ehr_corps (
     corp_key TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     seed TEXT NOT NULL,
     next_department INTEGER NOT NULL,
     next_employee INTEGER NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE ehr_departments (
     corp_key TEXT NOT NULL,
     id TEXT NOT NULL,
     name TEXT NOT NULL,
     parent_id TEXT,
     ord INTEGER NOT NULL,
     status TEXT NOT NULL,
     modified_at TEXT NOT NULL,
     PRIMARY KEY (corp_key, id)
   ) WITHOUT ROWID;
   CREATE INDEX ehr_departments_modified ON ehr_departments (corp_key, modified_at);
   CREATE TABLE ehr_employees (
     corp_key TEXT NOT NULL,
     id TEXT NOT NULL,
     username TEXT NOT NULL,
     name TEXT NOT NULL,
     email TEXT NOT NULL,
     department_id TEXT NOT NULL,
     title TEXT NOT NULL,
     status TEXT NOT NULL,
     hired_at TEXT NOT NULL,
     left_at TEXT,
     modified_at TEXT NOT NULL,
     PRIMARY KEY (corp_key, id)
   ) WITHOUT ROWID;
   CREATE UNIQUE INDEX ehr_employees_username ON ehr_employees (corp_key, username);
   CREATE INDEX ehr_employees_modified ON ehr_employees (corp_key, modified_at);
   CREATE TABLE ehr_apps (
     app_key TEXT PRIMARY KEY,
     token TEXT NOT NULL,
     corps TEXT NOT NULL,
     label TEXT NOT NULL,
     created_at TEXT NOT NULL
   );`,
];

export interface Corp {
  corp_key: string;
  name: string;
  seed: string;
  created_at: string;
}

export interface CorpSummary {
  corp_key: string;
  name: string;
  departments_total: number;
  employees_total: number;
}

export interface EhrApp {
  app_key: string;
  token: string;
  /** Corp Keys this key may read, or '*' for all. */
  corps: string[] | '*';
  label: string;
}

export type ListKind = 'departments' | 'employees';

interface DepartmentRow {
  id: string;
  name: string;
  parent_id: string | null;
  ord: number;
  status: string;
  modified_at: string;
}

const toDepartment = (r: DepartmentRow): EhrDepartment => ({
  id: r.id,
  name: r.name,
  parent_id: r.parent_id,
  order: r.ord,
  status: r.status as DepartmentStatus,
  modified_at: r.modified_at,
});

const EMPLOYEE_COLUMNS = 'id, username, name, email, department_id, title, status, hired_at, left_at, modified_at';

export class EhrStore {
  private readonly stmts;
  /**
   * List totals and "where page N ended", dropped by every write: a client walking the
   * pages gets keyset-speed reads (no OFFSET scan, no COUNT per page) with answers
   * identical to the plain queries. Valid because this process is the only writer.
   */
  private readonly totals = new Map<string, number>();
  private readonly pageEnds = new Map<string, string>();

  constructor(readonly db: Db) {
    migrate(db, 'ehr', MIGRATIONS);
    this.stmts = {
      insertDept: db.prepare(
        'INSERT INTO ehr_departments (corp_key, id, name, parent_id, ord, status, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      insertEmp: db.prepare(
        `INSERT INTO ehr_employees (corp_key, ${EMPLOYEE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      corp: db.prepare('SELECT corp_key, name, seed, created_at FROM ehr_corps WHERE corp_key = ?'),
      countDepts: db.prepare('SELECT COUNT(*) AS n FROM ehr_departments WHERE corp_key = ?'),
      countEmps: db.prepare('SELECT COUNT(*) AS n FROM ehr_employees WHERE corp_key = ?'),
      dept: db.prepare('SELECT id, name, parent_id, ord, status, modified_at FROM ehr_departments WHERE corp_key = ? AND id = ?'),
      emp: db.prepare(`SELECT ${EMPLOYEE_COLUMNS} FROM ehr_employees WHERE corp_key = ? AND id = ?`),
      app: db.prepare('SELECT app_key, token, corps, label FROM ehr_apps WHERE app_key = ?'),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  corp(corpKey: string): Corp | undefined {
    return this.stmts.corp.get(corpKey) as Corp | undefined;
  }

  summary(corpKey: string): CorpSummary | undefined {
    const corp = this.corp(corpKey);
    if (!corp) return undefined;
    return {
      corp_key: corp.corp_key,
      name: corp.name,
      departments_total: (this.stmts.countDepts.get(corpKey) as { n: number }).n,
      employees_total: (this.stmts.countEmps.get(corpKey) as { n: number }).n,
    };
  }

  /** Creates a corp with a generated directory, all in one transaction. */
  createCorp(corpKey: string, name: string, employees: number, seed: string): CorpSummary {
    this.touch();
    const dir = generateDirectory({ corpKey, corpName: name, employees, seed });
    this.transaction(() => {
      this.db
        .prepare('INSERT INTO ehr_corps (corp_key, name, seed, next_department, next_employee, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(corpKey, name, seed, dir.departments.length + 1, dir.employees.length + 1, new Date().toISOString());
      for (const d of dir.departments) this.stmts.insertDept.run(corpKey, d.id, d.name, d.parent_id, d.order, d.status, d.modified_at);
      for (const e of dir.employees) {
        this.stmts.insertEmp.run(corpKey, e.id, e.username, e.name, e.email, e.department_id, e.title, e.status, e.hired_at, e.left_at, e.modified_at);
      }
    });
    return this.summary(corpKey)!;
  }

  /** Marks the data as changed: drops every cached total and page end. */
  private touch(): void {
    this.totals.clear();
    this.pageEnds.clear();
  }

  list(
    kind: ListKind,
    corpKey: string,
    opts: { modifiedSince?: string; offset: number; limit: number },
  ): { items: Array<EhrDepartment | EhrEmployee>; total: number } {
    const table = kind === 'departments' ? 'ehr_departments' : 'ehr_employees';
    const columns = kind === 'departments' ? 'id, name, parent_id, ord, status, modified_at' : EMPLOYEE_COLUMNS;
    const where = opts.modifiedSince !== undefined ? 'corp_key = ? AND modified_at >= ?' : 'corp_key = ?';
    const params: unknown[] = opts.modifiedSince !== undefined ? [corpKey, opts.modifiedSince] : [corpKey];
    const filterKey = `${kind}|${corpKey}|${opts.modifiedSince ?? ''}`;

    let total = this.totals.get(filterKey);
    if (total === undefined) {
      total = (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get(...params) as { n: number }).n;
      this.totals.set(filterKey, total);
    }
    const after = opts.offset === 0 ? undefined : this.pageEnds.get(`${filterKey}|${opts.offset}`);
    const rows = (
      after !== undefined
        ? this.db.prepare(`SELECT ${columns} FROM ${table} WHERE ${where} AND id > ? ORDER BY id LIMIT ?`).all(...params, after, opts.limit)
        : this.db.prepare(`SELECT ${columns} FROM ${table} WHERE ${where} ORDER BY id LIMIT ? OFFSET ?`).all(...params, opts.limit, opts.offset)
    ) as Array<{ id: string }>;
    if (rows.length > 0) {
      if (this.pageEnds.size > 10_000) this.pageEnds.clear();
      this.pageEnds.set(`${filterKey}|${opts.offset + rows.length}`, rows[rows.length - 1]!.id);
    }
    const items = kind === 'departments' ? (rows as unknown as DepartmentRow[]).map(toDepartment) : (rows as unknown as EhrEmployee[]);
    return { items, total };
  }

  department(corpKey: string, id: string): EhrDepartment | undefined {
    const row = this.stmts.dept.get(corpKey, id) as DepartmentRow | undefined;
    return row && toDepartment(row);
  }

  employee(corpKey: string, id: string): EhrEmployee | undefined {
    return this.stmts.emp.get(corpKey, id) as EhrEmployee | undefined;
  }

  usernameTaken(corpKey: string, username: string, exceptId?: string): boolean {
    const row = this.db.prepare('SELECT id FROM ehr_employees WHERE corp_key = ? AND username = ?').get(corpKey, username) as
      | { id: string }
      | undefined;
    return row !== undefined && row.id !== exceptId;
  }

  private nextId(corpKey: string, column: 'next_department' | 'next_employee'): number {
    const row = this.db.prepare(`SELECT ${column} AS n FROM ehr_corps WHERE corp_key = ?`).get(corpKey) as { n: number };
    this.db.prepare(`UPDATE ehr_corps SET ${column} = ${column} + 1 WHERE corp_key = ?`).run(corpKey);
    return row.n;
  }

  addDepartment(corpKey: string, name: string, parentId: string): EhrDepartment {
    this.touch();
    return this.transaction(() => {
      const id = departmentId(this.nextId(corpKey, 'next_department'));
      const order =
        (this.db.prepare('SELECT COALESCE(MAX(ord), 0) + 1 AS n FROM ehr_departments WHERE corp_key = ? AND parent_id = ?').get(corpKey, parentId) as {
          n: number;
        }).n;
      this.stmts.insertDept.run(corpKey, id, name, parentId, order, 'active', new Date().toISOString());
      return this.department(corpKey, id)!;
    });
  }

  updateDepartment(corpKey: string, id: string, patch: { name?: string; parent_id?: string; status?: DepartmentStatus }): EhrDepartment {
    this.touch();
    const current = this.department(corpKey, id)!;
    this.db
      .prepare('UPDATE ehr_departments SET name = ?, parent_id = ?, status = ?, modified_at = ? WHERE corp_key = ? AND id = ?')
      .run(patch.name ?? current.name, patch.parent_id ?? current.parent_id, patch.status ?? current.status, new Date().toISOString(), corpKey, id);
    return this.department(corpKey, id)!;
  }

  addEmployee(
    corpKey: string,
    e: { username?: string; name: string; department_id: string; title?: string; email?: string },
  ): EhrEmployee {
    this.touch();
    return this.transaction(() => {
      const n = this.nextId(corpKey, 'next_employee');
      const id = employeeId(n);
      const username = e.username ?? `emp${n}`;
      const now = new Date().toISOString();
      this.stmts.insertEmp.run(
        corpKey,
        id,
        username,
        e.name,
        e.email ?? `${username}@${corpKey}.example.com`,
        e.department_id,
        e.title ?? '员工',
        'active',
        now.slice(0, 10),
        null,
        now,
      );
      return this.employee(corpKey, id)!;
    });
  }

  updateEmployee(
    corpKey: string,
    id: string,
    patch: { status?: EmployeeStatus; department_id?: string; name?: string; title?: string; email?: string; username?: string },
  ): EhrEmployee {
    this.touch();
    const cur = this.employee(corpKey, id)!;
    const now = new Date().toISOString();
    const status = patch.status ?? cur.status;
    const leftAt = status === 'left' ? (cur.status === 'left' ? cur.left_at : now.slice(0, 10)) : null;
    this.db
      .prepare(
        `UPDATE ehr_employees SET username = ?, name = ?, email = ?, department_id = ?, title = ?, status = ?, left_at = ?, modified_at = ?
         WHERE corp_key = ? AND id = ?`,
      )
      .run(
        patch.username ?? cur.username,
        patch.name ?? cur.name,
        patch.email ?? cur.email,
        patch.department_id ?? cur.department_id,
        patch.title ?? cur.title,
        status,
        leftAt,
        now,
        corpKey,
        id,
      );
    return this.employee(corpKey, id)!;
  }

  /** Purges a record (e.g. entered by mistake): the only way anything leaves the directory. */
  deleteEmployee(corpKey: string, id: string): boolean {
    this.touch();
    return this.db.prepare('DELETE FROM ehr_employees WHERE corp_key = ? AND id = ?').run(corpKey, id).changes > 0;
  }

  deleteDepartment(corpKey: string, id: string): boolean {
    this.touch();
    return this.db.prepare('DELETE FROM ehr_departments WHERE corp_key = ? AND id = ?').run(corpKey, id).changes > 0;
  }

  departmentInUse(corpKey: string, id: string): { children: number; employees: number } {
    const children = (this.db.prepare('SELECT COUNT(*) AS n FROM ehr_departments WHERE corp_key = ? AND parent_id = ?').get(corpKey, id) as { n: number }).n;
    const employees = (this.db.prepare('SELECT COUNT(*) AS n FROM ehr_employees WHERE corp_key = ? AND department_id = ?').get(corpKey, id) as { n: number }).n;
    return { children, employees };
  }

  app(appKey: string): EhrApp | undefined {
    const row = this.stmts.app.get(appKey) as { app_key: string; token: string; corps: string; label: string } | undefined;
    return row && { ...row, corps: row.corps === '*' ? '*' : (JSON.parse(row.corps) as string[]) };
  }

  createApp(corps: string[] | '*', label: string): EhrApp {
    const app: EhrApp = {
      app_key: `ehrak${crypto.randomBytes(10).toString('hex')}`,
      token: crypto.randomBytes(24).toString('base64url'),
      corps,
      label,
    };
    this.db
      .prepare('INSERT INTO ehr_apps (app_key, token, corps, label, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(app.app_key, app.token, corps === '*' ? '*' : JSON.stringify(corps), label, new Date().toISOString());
    return app;
  }

  appByLabel(label: string): EhrApp | undefined {
    const row = this.db.prepare('SELECT app_key FROM ehr_apps WHERE label = ? ORDER BY created_at LIMIT 1').get(label) as
      | { app_key: string }
      | undefined;
    return row && this.app(row.app_key);
  }
}
