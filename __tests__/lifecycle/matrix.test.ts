/**
 * The lifecycle harness itself, without engines: how cells are decided (a cell with no
 * check fails, a soft failure fails only its cell, an engine error blames the objects it
 * names, rows after an aborted one are "not reached"), the engine gates, and the
 * rendered matrix.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../scripts/lib/engines';
import type { RunResult } from '../../scripts/lib/terraform';
import { Scenario } from './harness';
import { renderMatrix, type RowResult } from './matrix';
import type { Remote } from './remote';
import { rowById, ROWS } from './scenarios';
import { EngineError } from './stack';

const engine = (name: Engine['name'], version: string): Engine => ({ name, version, binary: `/bin/${name}`, supportsFunctions: true, supportsWriteOnly: name === 'terraform' });
const terraform = engine('terraform', '1.11.4');

function scenario(rows: string[]): { t: Scenario; results: RowResult[] } {
  const results: RowResult[] = [];
  return { t: new Scenario(terraform, {} as Remote, rows, (r) => results.push(r)), results };
}

describe('cells', () => {
  test('a cell with no check fails; a passing check passes; n/a keeps its reason', async () => {
    const { t, results } = scenario(['destroy']);
    await expect(
      t.runChain(async () => {
        await t.row('destroy', async () => {
          await t.check(['app', 'connector'], 'ok', () => undefined);
        });
      }),
    ).rejects.toThrow(/1 matrix cell\(s\) failed/);
    expect(results[0].cells).toEqual({
      app: { status: 'pass' },
      connector: { status: 'pass' },
      schedule: { status: 'fail', why: 'no check ran for this object type (a harness bug)' },
      discovery: { status: 'n/a', why: rowById('destroy').applies.discovery },
      status: { status: 'n/a', why: rowById('destroy').applies.status },
    });
  });

  test('a soft failure fails only its own cell, and the row goes on', async () => {
    const { t, results } = scenario(['create']);
    let reached = false;
    await expect(
      t.runChain(async () => {
        await t.row('create', async () => {
          await t.check('connector', 'broken', () => {
            throw new Error('the connector is wrong');
          });
          await t.check(['app', 'schedule', 'discovery', 'status'], 'fine', () => undefined);
          reached = true;
        });
      }),
    ).rejects.toThrow(/create \/ qianfan_apaas_hr_connector: broken: the connector is wrong/);
    expect(reached).toBe(true);
    expect(Object.values(results[0].cells).map((c) => c.status)).toEqual(['pass', 'fail', 'pass', 'pass', 'pass']);
  });

  test('an engine error blames the objects its diagnostics name; the next rows are not reached', async () => {
    const { t, results } = scenario(['count-add', 'count-remove']);
    const result: RunResult = { code: 1, stdout: '', stderr: 'Error: boom\n\n  with qianfan_yufu_oidc_app.c[2],\n\nthe detail\n', ms: 1 };
    await expect(
      t.runChain(async () => {
        await t.row('count-add', async () => {
          throw new EngineError(terraform, ['apply'], result, [0]);
        });
        await t.row('count-remove', async () => undefined);
      }),
    ).rejects.toThrow(/matrix cell/);
    const [add, remove] = results;
    expect(add.cells.app).toEqual({ status: 'fail', why: expect.stringMatching(/^terraform apply exited 1, expected 0: Error: boom — \[qianfan_yufu_oidc_app\.c\[2\]\] the detail$/) });
    expect(add.cells.connector).toEqual({ status: 'fail', why: expect.stringMatching(/^not verified, the row stopped on qianfan_yufu_oidc_app: /) });
    expect(remove.row).toBe('count-remove');
    expect(Object.values(remove.cells).every((c) => c.status === 'fail' && /^not reached: count-add: /.test(c.why))).toBe(true);
  });

  test('checking an object type the row declares not applicable is a harness error', async () => {
    const { t } = scenario(['destroy']);
    const chain = t.runChain(async () => {
      await t.row('destroy', async () => void (await t.check('discovery', 'x', () => undefined)));
    });
    await expect(chain).rejects.toThrow(/declares not applicable/);
  });
});

describe('engine gates', () => {
  test('import blocks and the test command need the engine versions that have them', () => {
    expect(rowById('import-block').engineGate!(engine('terraform', '1.4.7'))).toMatch(/no import blocks/);
    expect(rowById('import-block').engineGate!(engine('terraform', '1.5.0'))).toBeNull();
    expect(rowById('generate-config').engineGate!(engine('tofu', '1.6.2'))).toBeNull();
    expect(rowById('terraform-test').engineGate!(engine('terraform', '1.5.7'))).toMatch(/no test command/);
    expect(rowById('terraform-test').engineGate!(engine('tofu', '1.6.0'))).toBeNull();
  });

  test('a gated row is recorded as not applicable with the reason, and runs nothing', async () => {
    const results: RowResult[] = [];
    const t = new Scenario(engine('terraform', '1.4.7'), {} as Remote, ['import-block'], (r) => results.push(r));
    let ran = false;
    await t.runChain(async () => {
      expect(await t.row('import-block', async () => void (ran = true))).toBe(false);
    });
    expect(ran).toBe(false);
    expect(results[0].cells.app).toEqual({ status: 'n/a', why: 'terraform 1.4.7 has no import blocks (Terraform ≥ 1.5, OpenTofu ≥ 1.6)' });
  });

  test('a gate whose refusal check fails (the engine can run it after all) fails the cells', async () => {
    const results: RowResult[] = [];
    const t = new Scenario(engine('tofu', '1.6.2'), {} as Remote, ['ephemeral-write-only'], (r) => results.push(r));
    await expect(
      t.runChain(async () => {
        await t.row('ephemeral-write-only', async () => undefined, async () => {
          throw new Error('validate exited 0');
        });
      }),
    ).rejects.toThrow(/the gate says .* but the refusal check failed: validate exited 0/);
    expect(results[0].cells.app.status).toBe('fail');
    expect(results[0].cells.schedule).toEqual({ status: 'n/a', why: 'the schedule takes no secret' });
  });

  test('every row names a test file that exists', () => {
    for (const row of ROWS) expect([row.id, existsSync(join(__dirname, `${row.file}.test.ts`))]).toEqual([row.id, true]);
  });
});

test('the rendered matrix shows every row, failures and reasons as notes, and counts per engine', () => {
  const md = renderMatrix([
    {
      row: 'create',
      engine: 'terraform',
      engineVersion: '1.11.4',
      ms: 1000,
      cells: { app: { status: 'fail', why: 'the app was deleted' }, connector: { status: 'pass' }, schedule: { status: 'pass' }, discovery: { status: 'n/a', why: 'no reason' }, status: { status: 'pass' } },
    },
  ]);
  expect(md).toMatch(/\| \*\*create\*\* [^|]+\| \*\*FAIL\*\* \[1\] \| pass \| pass \| n\/a \[2\] \| pass \|/);
  expect(md).toContain('1. create / qianfan_yufu_oidc_app / terraform 1.11.4: the app was deleted');
  expect(md).toContain('2. no reason');
  expect(md).toMatch(/- terraform [\d.]+: 3 pass, 1 fail, 1 not applicable, \d+ not run/);
  for (const row of ROWS) expect(md).toContain(`**${row.id}**`);
});
