/**
 * The cdktf app: every tenant in the tenants file (tenants.yaml, or the file named by
 * QIANFAN_TENANTS_FILE), each declared as a QianfanTenant — the Yufu (千帆玉符) OIDC
 * application, the aPaaS 【腾讯 HR 助手】 connector and the organisation sync schedule.
 * Tenants share the stack "tenants" unless they name another (`stack:`).
 *
 * `npm start` synthesizes this, deploys it against the local emulator with the real
 * Terraform binary and prints the outputs. Endpoints and credentials come from the
 * environment (QIANFAN_YUFU_*, QIANFAN_APAAS_*), never from code or the tenants file.
 */
import { join } from 'node:path';
import { App, TerraformStack } from './constructs/framework';
import { seedProviderLockFiles } from './constructs/lock-file';
import { loadTenantsFile, tenantsByStack } from './constructs/tenants-file';
import { TenantsStack } from './constructs/tenants-stack';

export function buildApp(outdir?: string, tenantsFile = process.env.QIANFAN_TENANTS_FILE ?? join(__dirname, 'tenants.yaml')): App {
  const app = new App(outdir ? { outdir } : {});
  for (const [stack, tenants] of tenantsByStack(loadTenantsFile(tenantsFile))) new TenantsStack(app, stack, tenants);
  return app;
}

if (require.main === module) {
  try {
    const app = buildApp();
    app.synth();
    // So that `cdktf deploy` never asks a registry for the locally built provider.
    seedProviderLockFiles(app, app.node.children.filter((c) => c instanceof TerraformStack).map((c) => c.node.id));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
