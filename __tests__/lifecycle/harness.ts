/**
 * The scenario harness. A test file declares chains of rows (scenarios.ts); each chain
 * runs once per engine present, as concurrent jest tests sharing the file's emulator.
 * Inside a row, `check(resource, …)` records a soft result for one matrix cell, so one
 * broken object type does not hide the others; an error that ends the row fails every
 * cell it did not already decide (attributed by the addresses in the engine's
 * diagnostics where it names them). A cell with no check is a failure, never a pass.
 */
import { randomBytes } from 'node:crypto';
import type { Engine } from '../../scripts/lib/engines';
import type { StartOptions } from '../../scripts/lib/emulator';
import { enginesForTests } from '../helpers/engines';
import { writeRowResult, type Cell, type RowResult } from './matrix';
import { Remote, type ProvisionedTenant } from './remote';
import { RESOURCE_KEYS, RESOURCE_TYPES, ROWS, rowById, type ResourceKey, type Row } from './scenarios';
import { addressesInErrors, EngineError, Stack } from './stack';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();

/** Which matrix column an address belongs to. */
export function resourceOf(address: string): ResourceKey | null {
  const type = address.replace(/^data\./, '').split('.')[0];
  return RESOURCE_KEYS.find((k) => RESOURCE_TYPES[k] === type) ?? null;
}

class RowAborted extends Error {}

/** What assertions need of a scenario: the remote, the cells of the current row. */
export interface View {
  readonly remote: Remote;
  readonly applicable: ResourceKey[];
  check(resources: ResourceKey | ResourceKey[], label: string, fn: () => unknown | Promise<unknown>): Promise<boolean>;
  fail(resource: ResourceKey, why: string): void;
}

interface RowState {
  row: Row;
  started: number;
  ran: Map<ResourceKey, number>;
  failures: Map<ResourceKey, string[]>;
}

export class Scenario implements View {
  /** Unique per scenario run: in every name it creates. */
  readonly suffix = randomBytes(3).toString('hex');
  private current: RowState | null = null;
  private readonly recorded = new Set<string>();
  private readonly failed: string[] = [];

  constructor(
    readonly engine: Engine,
    readonly remote: Remote,
    private readonly chainRows: string[],
    /** Where finished rows go: the matrix's cell files (tests of the harness pass their own). */
    private readonly record: (result: RowResult) => void = writeRowResult,
  ) {}

  get providerEnv(): Record<string, string> {
    return this.remote.emulator.providerEnv;
  }

  /** A Yufu app name prefix no other scenario uses. */
  prefix(tag: string): string {
    return `lc ${tag} ${this.engine.name} ${this.suffix}`;
  }

  stack(name: string, env: Record<string, string> = this.providerEnv): Promise<Stack> {
    return Stack.create(this.engine, `${name}-${this.suffix}`, env);
  }

  tenant(tag: string, employees?: number): Promise<ProvisionedTenant> {
    return this.remote.newTenant(`${tag}${this.engine.name.slice(0, 2)}`, employees);
  }

  /** A soft check for one or more cells of the current row. */
  async check(resources: ResourceKey | ResourceKey[], label: string, fn: () => unknown | Promise<unknown>): Promise<boolean> {
    const state = this.state();
    const keys = Array.isArray(resources) ? resources : [resources];
    for (const k of keys) {
      if (state.row.applies[k] !== true) throw new Error(`lifecycle: check "${label}" on ${k}, which row ${state.row.id} declares not applicable`);
      state.ran.set(k, (state.ran.get(k) ?? 0) + 1);
    }
    try {
      await fn();
      return true;
    } catch (e) {
      for (const k of keys) this.fail(k, `${label}: ${message(e)}`);
      return false;
    }
  }

  /** Records a failure for a cell of the current row. */
  fail(resource: ResourceKey, why: string): void {
    const state = this.state();
    state.ran.set(resource, (state.ran.get(resource) ?? 0) + 1);
    const list = state.failures.get(resource) ?? [];
    list.push(why);
    state.failures.set(resource, list);
  }

  /** Runs one variant per object type concurrently; an error in one fails only its cell. */
  async each(resources: ResourceKey[], fn: (resource: ResourceKey) => Promise<void>): Promise<void> {
    await Promise.all(
      resources.map(async (r) => {
        try {
          await fn(r);
        } catch (e) {
          this.fail(r, message(e));
        }
      }),
    );
  }

  /**
   * Checks on every object type, all recorded in one cell: for a variant that exercises
   * one type, where the others following it correctly is part of that type's result.
   */
  as(resource: ResourceKey): View {
    return {
      remote: this.remote,
      applicable: [...RESOURCE_KEYS],
      check: (keys, label, fn) => this.check(resource, `${[keys].flat().join('+')}: ${label}`, fn),
      fail: (k, why) => this.fail(resource, `${k}: ${why}`),
    };
  }

  /** The same cells, assertions against another emulator (a second provider configuration's services). */
  on(remote: Remote): View {
    return { remote, applicable: this.applicable, check: (k, l, f) => this.check(k, l, f), fail: (k, w) => this.fail(k, w) };
  }

  /** Applicable object types of the current row. */
  get applicable(): ResourceKey[] {
    const row = this.state().row;
    return RESOURCE_KEYS.filter((k) => row.applies[k] === true);
  }

  /**
   * Runs a row; false when the engine cannot run it (recorded as n/a with the reason, said
   * out loud). `refused`, when given, proves the gate on that engine: it must show the
   * engine refusing the row's configuration; if it does not, the cells fail.
   */
  async row(id: string, fn: () => Promise<void>, refused?: () => Promise<void>): Promise<boolean> {
    const row = rowById(id);
    if (!this.chainRows.includes(id)) throw new Error(`lifecycle: row ${id} is not declared in this chain`);
    const gate = row.engineGate?.(this.engine) ?? null;
    if (gate) {
      process.stderr.write(`!! lifecycle: ${id} NOT run on ${this.engine.name} ${this.engine.version}: ${gate}\n`);
      let why = gate;
      let wrong: unknown = null;
      if (refused) {
        try {
          await refused();
          why = `${gate} (checked: it refuses the configuration)`;
        } catch (e) {
          wrong = new Error(`the gate says "${gate}", but the refusal check failed: ${message(e)}`);
        }
      }
      this.finish({ row, started: Date.now(), ran: new Map(), failures: new Map() }, wrong, wrong ? null : why);
      return false;
    }
    const state: RowState = { row, started: Date.now(), ran: new Map(), failures: new Map() };
    this.current = state;
    let hard: unknown = null;
    try {
      await fn();
    } catch (e) {
      hard = e;
    }
    this.current = null;
    this.finish(state, hard, null);
    if (hard) throw new RowAborted(`${id}: ${message(hard)}`);
    return true;
  }

  private state(): RowState {
    if (!this.current) throw new Error('lifecycle: check outside a row');
    return this.current;
  }

  private finish(state: RowState, hard: unknown, gate: string | null): void {
    const { row } = state;
    const blamed = hard instanceof EngineError ? addressesInErrors(hard.result.stderr).map(resourceOf).filter((k): k is ResourceKey => k !== null) : [];
    const cells = {} as Record<ResourceKey, Cell>;
    for (const k of RESOURCE_KEYS) {
      const applies = row.applies[k];
      if (applies !== true) cells[k] = { status: 'n/a', why: applies };
      else if (gate) cells[k] = { status: 'n/a', why: gate };
      else if (state.failures.has(k)) cells[k] = { status: 'fail', why: state.failures.get(k)!.join('; ') };
      else if (hard) {
        const prefix = blamed.length === 0 || blamed.includes(k) ? '' : `not verified, the row stopped on ${blamed.map((b) => RESOURCE_TYPES[b]).join(', ')}: `;
        cells[k] = { status: 'fail', why: `${prefix}${message(hard)}` };
      } else if (!state.ran.get(k)) cells[k] = { status: 'fail', why: 'no check ran for this object type (a harness bug)' };
      else cells[k] = { status: 'pass' };
    }
    for (const k of RESOURCE_KEYS) {
      const c = cells[k];
      if (c.status === 'fail') this.failed.push(`${row.id} / ${RESOURCE_TYPES[k]}: ${c.why}`);
    }
    this.recorded.add(row.id);
    this.record({ row: row.id, engine: this.engine.name, engineVersion: this.engine.version, ms: Date.now() - state.started, cells });
  }

  /** Runs a chain; rows after a failed one are recorded as not reached. Throws with every failed cell. */
  async runChain(fn: (t: Scenario) => Promise<void>): Promise<void> {
    let abort: string | null = null;
    try {
      await fn(this);
    } catch (e) {
      abort = message(e);
    }
    for (const id of this.chainRows) {
      if (this.recorded.has(id)) continue;
      const row = rowById(id);
      this.finish({ row, started: Date.now(), ran: new Map(), failures: new Map() }, new Error(`not reached: ${abort ?? 'the chain ended before this row'}`), null);
    }
    if (this.failed.length > 0) throw new Error(`${this.failed.length} matrix cell(s) failed on ${this.engine.name} ${this.engine.version}:\n- ${this.failed.join('\n- ')}`);
  }
}

export interface Suite {
  readonly engines: Engine[];
  readonly remote: Remote;
  /** Rows run in order in one concurrent jest test per engine. */
  chain(name: string, rows: string[], fn: (t: Scenario) => Promise<void>, timeoutMs?: number): void;
}

/** Declares a test file's suite: its emulator, its chains, and a test that every row of the file has a chain. */
export function lifecycleSuite(file: string, options: { emulator?: StartOptions } = {}): Suite {
  const engines = enginesForTests();
  let remote: Remote | undefined;
  const implemented = new Set<string>();
  beforeAll(async () => {
    remote = await Remote.start(file, options.emulator);
  }, 120_000);
  afterAll(async () => {
    await remote?.stop();
  });
  test(`every row of ${file} in the lifecycle table has a scenario`, () => {
    const missing = ROWS.filter((r) => r.file === file && !implemented.has(r.id)).map((r) => r.id);
    expect(missing).toEqual([]);
  });
  return {
    engines,
    get remote(): Remote {
      if (!remote) throw new Error('lifecycle: the emulator is not running');
      return remote;
    },
    chain(name, rows, fn, timeoutMs = 420_000) {
      for (const id of rows) {
        const row = rowById(id);
        if (row.file !== file) throw new Error(`lifecycle: row ${id} belongs to ${row.file}.test.ts, not ${file}.test.ts`);
        implemented.add(id);
      }
      for (const engine of engines) {
        test.concurrent(
          `${name} [${engine.name} ${engine.version}]`,
          async () => {
            if (!remote) throw new Error('lifecycle: the emulator did not start');
            await new Scenario(engine, remote, rows).runChain(fn);
          },
          timeoutMs,
        );
      }
    },
  };
}
