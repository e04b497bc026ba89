// jest globalTeardown: renders the lifecycle matrix from the cells the test files wrote,
// to test-output/lifecycle-matrix.md and stderr. Runs without any cell (other tests only): silent.
import { MATRIX_FILE, writeMatrix } from './matrix';

export default function globalTeardown(): void {
  const md = writeMatrix();
  if (md) process.stderr.write(`\n${md}\n(written to ${MATRIX_FILE})\n`);
}
