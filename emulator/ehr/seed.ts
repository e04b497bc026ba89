// Deterministic generator for an E-HR directory: the same (employees, seed) always gives
// the same departments and people, with the same ids, names and timestamps.
import { chineseNumeral, CITIES, DIVISIONS, GIVEN, SURNAMES, type DivisionSpec } from './names';

export type DepartmentStatus = 'active' | 'dissolved';
export type EmployeeStatus = 'active' | 'left';

export interface EhrDepartment {
  id: string;
  name: string;
  parent_id: string | null;
  order: number;
  status: DepartmentStatus;
  modified_at: string;
}

export interface EhrEmployee {
  id: string;
  username: string;
  name: string;
  email: string;
  department_id: string;
  title: string;
  status: EmployeeStatus;
  hired_at: string;
  left_at: string | null;
  modified_at: string;
}

export interface GeneratedDirectory {
  departments: EhrDepartment[];
  employees: EhrEmployee[];
}

export const MAX_SEED_EMPLOYEES = 200_000;

export const departmentId = (n: number): string => `d${String(n).padStart(4, '0')}`;
export const employeeId = (n: number): string => `e${String(n).padStart(6, '0')}`;

/** FNV-1a, so any seed string maps to a 32-bit PRNG state. */
function hashSeed(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast and good enough for test data. */
function prng(seed: string): () => number {
  let a = hashSeed(seed);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const HIRED_FROM = Date.UTC(2012, 0, 1);
const HIRED_TO = Date.UTC(2025, 5, 30);
const DATA_AS_OF = Date.UTC(2025, 8, 30);

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Splits `total` in proportion to `weights` (largest remainder), each part at least `min`. */
function apportion(total: number, weights: readonly number[], min: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = Math.max(0, total - min * weights.length);
  const exact = weights.map((w) => (spare * w) / sum);
  const parts = exact.map((x) => Math.floor(x));
  let left = spare - parts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left-- <= 0) break;
    parts[i]!++;
  }
  return parts.map((p) => p + min);
}

function departmentName(spec: DivisionSpec, i: number): string {
  const pool = spec.departments;
  const base = pool[i % pool.length]!;
  const round = Math.floor(i / pool.length);
  if (round === 0) return base;
  const city = CITIES[(round - 1) % CITIES.length]!;
  const lap = Math.floor((round - 1) / CITIES.length);
  return lap === 0 ? `${base}（${city}）` : `${base}（${city}${chineseNumeral(lap + 1)}）`;
}

/**
 * Builds a company of `employees` people: the root department (the corp's name), 3–10
 * divisions, departments under them and, where a department is big enough, teams
 * (4 levels). About 6 % of the people have left; one department is dissolved.
 */
export function generateDirectory(opts: { corpKey: string; corpName: string; employees: number; seed: string }): GeneratedDirectory {
  const n = opts.employees;
  const rand = prng(`ehr:${opts.seed}`);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const stamp = (fromMs: number, toMs: number): string =>
    new Date(fromMs + Math.floor(rand() * Math.max(1, toMs - fromMs) / 1000) * 1000).toISOString();

  const departments: EhrDepartment[] = [];
  let deptCounter = 0;
  const addDept = (name: string, parent: string | null, order: number, status: DepartmentStatus = 'active'): string => {
    const id = departmentId(++deptCounter);
    departments.push({ id, name, parent_id: parent, order, status, modified_at: stamp(HIRED_FROM, DATA_AS_OF) });
    return id;
  };

  const rootId = addDept(opts.corpName, null, 1);
  const divisionCount = Math.min(DIVISIONS.length, Math.max(3, Math.ceil(n / 25)));
  const divisions = DIVISIONS.slice(0, divisionCount);
  const leafTarget = Math.min(8000, Math.max(divisionCount, Math.ceil(n / 12)));
  const leavesPerDivision = apportion(leafTarget, divisions.map((d) => d.weight), 1);

  interface Unit {
    deptId: string;
    spec: DivisionSpec;
  }
  const heads: Unit[] = [];
  const leaves: Unit[] = [];
  divisions.forEach((spec, di) => {
    const divisionId = addDept(spec.name, rootId, di + 1);
    heads.push({ deptId: divisionId, spec });
    const leafCount = leavesPerDivision[di]!;
    const deptCount = Math.min(leafCount, Math.ceil(Math.sqrt(leafCount) * 1.5));
    const teamsPerDept = apportion(leafCount, new Array<number>(deptCount).fill(1), 1);
    for (let i = 0; i < deptCount; i++) {
      const name = departmentName(spec, i);
      const deptId = addDept(name, divisionId, i + 1);
      const teams = teamsPerDept[i]!;
      if (teams === 1) {
        leaves.push({ deptId, spec });
        continue;
      }
      const teamBase = name.replace(/部$/, '');
      for (let t = 1; t <= teams; t++) leaves.push({ deptId: addDept(`${teamBase}${chineseNumeral(t)}组`, deptId, t), spec });
    }
    if (di === 0) {
      // A project team that was wound up: stays in the directory, dissolved, empty.
      addDept('临时项目组', divisionId, deptCount + 1, 'dissolved');
    }
  });

  const employees: EhrEmployee[] = [];
  const usernames = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const head = i < heads.length ? heads[i]! : undefined;
    const unit = head ?? pick(leaves);
    // Skewed towards the common surnames, as in real life.
    const [surname, surnamePinyin] = SURNAMES[Math.floor(rand() * rand() * SURNAMES.length)]!;
    const givenChars = rand() < 0.3 ? [pick(GIVEN)] : [pick(GIVEN), pick(GIVEN)];
    const name = surname + givenChars.map((g) => g[0]).join('');
    const base = `${surnamePinyin}.${givenChars.map((g) => g[1]).join('')}`;
    const seen = usernames.get(base) ?? 0;
    usernames.set(base, seen + 1);
    const username = seen === 0 ? base : `${base}${seen + 1}`;
    const hiredMs = HIRED_FROM + Math.floor(rand() * ((HIRED_TO - HIRED_FROM) / DAY_MS)) * DAY_MS;
    const left = head === undefined && rand() < 0.06;
    let leftMs: number | null = null;
    let modifiedAt: string;
    if (left) {
      leftMs = hiredMs + DAY_MS * (30 + Math.floor(rand() * ((DATA_AS_OF - hiredMs) / DAY_MS - 30)));
      modifiedAt = stamp(leftMs, leftMs + DAY_MS);
    } else {
      modifiedAt = stamp(hiredMs, DATA_AS_OF);
    }
    employees.push({
      id: employeeId(i + 1),
      username,
      name,
      email: `${username}@${opts.corpKey}.example.com`,
      department_id: unit.deptId,
      title: head ? unit.spec.headTitle : pick(unit.spec.titles),
      status: left ? 'left' : 'active',
      hired_at: isoDate(hiredMs),
      left_at: leftMs === null ? null : isoDate(leftMs),
      modified_at: modifiedAt,
    });
  }
  return { departments, employees };
}
