/**
 * The one module that imports the CDK for Terraform framework. cdktf 0.21 is the
 * last HashiCorp release (archived 2025-12-10); the community fork `cdktn` has the
 * same API under another package name, so switching is a change to this file only.
 */
export {
  App,
  Fn,
  TerraformDataSource,
  TerraformOutput,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Testing,
  Token,
  LocalBackend,
  PgBackend,
} from 'cdktf';
export type { TerraformMetaArguments, TerraformResourceConfig, ITerraformDependable } from 'cdktf';
export { Construct } from 'constructs';
