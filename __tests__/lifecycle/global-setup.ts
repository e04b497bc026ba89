// jest globalSetup: a new run starts a new lifecycle matrix (cells of earlier runs would lie).
import { clearRowResults } from './matrix';

export default function globalSetup(): void {
  clearRowResults();
}
