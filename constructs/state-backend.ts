/**
 * Remote state for teams: Terraform's PostgreSQL backend, with the connection string
 * taken by Terraform from PG_CONN_STR at run time — so the credentials (a password)
 * never appear in the synthesized cdk.tf.json. State locking is PostgreSQL advisory
 * locks: a second concurrent apply waits (-lock-timeout) or fails with a clear message.
 */
import { PgBackend, type Construct } from './framework';

export class PgStateBackend extends PgBackend {
  constructor(
    scope: Construct,
    private readonly schemaName: string,
  ) {
    super(scope, { connStr: '', schemaName });
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { schema_name: this.schemaName };
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return { schema_name: { value: this.schemaName, type: 'simple', storageClassType: 'string' } };
  }
}

/** From the environment: QIANFAN_STATE_BACKEND=pg (PG_CONN_STR then holds the connection). */
export function applyStateBackend(stack: Construct, stackName: string, kind = process.env.QIANFAN_STATE_BACKEND ?? 'local'): void {
  if (kind === 'local') return;
  if (kind !== 'pg') throw new Error(`QIANFAN_STATE_BACKEND: expected "local" or "pg", got ${JSON.stringify(kind)}`);
  new PgStateBackend(stack, `qianfan_${stackName.replace(/-/g, '_')}`);
}
