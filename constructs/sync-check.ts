/**
 * A Terraform `check` block per tenant: reads qianfan_apaas_sync_status and warns when
 * the latest organisation sync failed — a warning in plan and apply, never a diff and
 * never a non-zero `-detailed-exitcode` (checks need Terraform ≥ 1.5 / OpenTofu ≥ 1.6).
 * cdktf has no construct for check blocks, so it is written as a stack override.
 */
import type { TerraformStack } from './framework';
import type { QianfanTenant } from './qianfan-tenant';

export const SYNC_STATUS_DATA_SOURCE = 'qianfan_apaas_sync_status';

export function addSyncCheck(stack: TerraformStack, name: string, tenant: QianfanTenant): void {
  const connector = `${tenant.connector.terraformResourceType}.${tenant.connector.friendlyUniqueId}`;
  const status = `data.${SYNC_STATUS_DATA_SOURCE}.status`;
  const provider = tenant.connector.provider ? { provider: tenant.connector.provider.fqn } : {};
  stack.addOverride(`check.${name}_sync`, {
    data: {
      [SYNC_STATUS_DATA_SOURCE]: {
        status: { tenant_id: tenant.apaasTenantId, depends_on: [connector], ...provider },
      },
    },
    assert: [
      {
        condition: `\${${status}.last_run_status != "failed"}`,
        error_message: `The latest organisation sync of aPaaS tenant ${tenant.apaasTenantId} failed: \${coalesce(${status}.last_run_error, "no error message")}`,
      },
    ],
  });
}
