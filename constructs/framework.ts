/**
 * The one module that imports the CDK for Terraform framework.
 *
 * cdktf 0.21 is the last HashiCorp release (archived 2025-12-10); the community fork
 * `cdktn` (CDK Terrain, 0.24) has the same API under another package name. The default
 * is cdktf; QIANFAN_CDK_FRAMEWORK=cdktn selects the fork (the test suite runs the
 * construct tests under both). Moving for good is a change to this file only.
 */
import type * as Cdktf from 'cdktf';

export type Framework = 'cdktf' | 'cdktn';

export const FRAMEWORK: Framework = process.env.QIANFAN_CDK_FRAMEWORK === 'cdktn' ? 'cdktn' : 'cdktf';

// Both packages have the same API; cdktf's declarations describe either.
const lib = (FRAMEWORK === 'cdktn' ? require('cdktn') : require('cdktf')) as typeof Cdktf;

export const App = lib.App;
export type App = Cdktf.App;
export const Annotations = lib.Annotations;
export const Fn = lib.Fn;
export const TerraformDataSource = lib.TerraformDataSource;
export type TerraformDataSource = Cdktf.TerraformDataSource;
export const TerraformOutput = lib.TerraformOutput;
export type TerraformOutput = Cdktf.TerraformOutput;
export const TerraformProvider = lib.TerraformProvider;
export type TerraformProvider = Cdktf.TerraformProvider;
export const TerraformResource = lib.TerraformResource;
export type TerraformResource = Cdktf.TerraformResource;
export const TerraformStack = lib.TerraformStack;
export type TerraformStack = Cdktf.TerraformStack;
export const Testing = lib.Testing;
export const Token = lib.Token;
export const LocalBackend = lib.LocalBackend;
export const PgBackend = lib.PgBackend;
export type PgBackend = Cdktf.PgBackend;
export type { IResolvable, TerraformMetaArguments, TerraformResourceConfig, ITerraformDependable } from 'cdktf';
export { Construct } from 'constructs';
