/**
 * Per tenant: a qianfan_apaas_sync_status data source and a Terraform `check` that warns
 * when the latest organisation sync failed — a warning in plan and apply, never a diff.
 *
 * The data source sits beside the check, not inside it: both engines plan a check's
 * nested data source as "read during apply" on every plan, which makes
 * `plan -detailed-exitcode` exit 2 when nothing changed (verified on Terraform 1.11.4 and
 * OpenTofu 1.6.2). A top-level data source is read during plan (during apply only while
 * its connector has changes pending, so the check then sees the new connector's sync).
 * cdktf has no construct for check blocks, so both are written as stack overrides.
 */
import type { TerraformStack } from './framework';
import type { QianfanTenant } from './qianfan-tenant';

export const SYNC_STATUS_DATA_SOURCE = 'qianfan_apaas_sync_status';

export function addSyncCheck(stack: TerraformStack, name: string, tenant: QianfanTenant): void {
  // Read after the tenant's objects when they change, so the check sees their sync.
  const dependsOn = [tenant.connector, ...(tenant.schedule ? [tenant.schedule] : [])].map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`);
  const status = `data.${SYNC_STATUS_DATA_SOURCE}.${name}`;
  const provider = tenant.connector.provider ? { provider: tenant.connector.provider.fqn } : {};
  stack.addOverride(`data.${SYNC_STATUS_DATA_SOURCE}.${name}`, { tenant_id: tenant.apaasTenantId, depends_on: dependsOn, ...provider });
  stack.addOverride(`check.${name}_sync`, {
    assert: [
      {
        condition: `\${${status}.last_run_status != "failed"}`,
        error_message: `The latest organisation sync of aPaaS tenant ${tenant.apaasTenantId} failed: \${coalesce(${status}.last_run_error, "no error message")}`,
      },
    ],
  });
}
