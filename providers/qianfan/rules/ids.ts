/** Identifier rules: aPaaS tenant ids, E-HR Corp Keys, Yufu domains and client ids, stack names. */
import { checkText } from './text';

/** The aPaaS tenant id, the path segment in https://apaas.weworkpro.tencent-cloud.com/{tenant}/. */
export const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function checkTenantId(value: string): string | null {
  return TENANT_ID.test(value) ? null : 'expected the aPaaS tenant id: 1–64 letters, digits, "-" or "_", starting with a letter or digit';
}

/**
 * Two tenant ids that name one Terraform output, construct or directory once sanitised:
 * "-" becomes "_" in output names, and ids that differ only in case would be one tenant
 * on a case-insensitive file system or service. The tenants file refuses such pairs.
 */
export const tenantKey = (id: string): string => id.toLowerCase().replace(/-/g, '_');

/** E-HR Corp Keys are the host label in ehrnew-{corpKey}.ihr.tencent-cloud.com. */
export const CORP_KEY = /^[a-z0-9]{1,63}$/;

export function checkCorpKey(value: string): string | null {
  if (CORP_KEY.test(value)) return null;
  if (/[A-Z]/.test(value)) return 'expected lowercase letters and digits only (Corp Keys are lowercase host labels)';
  return 'expected 1–63 lowercase letters and digits, e.g. "apaas" or "6241corptest"';
}

/** The {domain} in {domain}-admin.cig.tencentcs.com: a DNS label (hyphens allowed inside). */
export function checkYufuDomain(value: string): string | null {
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(value) ? null : 'expected a DNS label of lowercase letters, digits and hyphens';
}

export const CLIENT_TEXT_MAX = 256;

export function checkClientId(value: string): string | null {
  if (value.trim().length === 0) return 'expected a non-empty client id (Yufu client ids look like ai- followed by 32 hex characters)';
  return checkText(value, { min: 1, max: CLIENT_TEXT_MAX, what: 'client id' });
}

export function checkClientSecret(value: string): string | null {
  if (value.length === 0) return 'expected a non-empty client secret';
  return checkText(value, { min: 1, max: CLIENT_TEXT_MAX, what: 'client secret' });
}

/** A stack of the tenants file: its directory under cdktf.out/stacks/ and its state. */
export function checkStackName(value: string): string | null {
  return /^[a-z][a-z0-9-]{0,39}$/.test(value) ? null : 'expected a stack name: 1–40 lowercase letters, digits and "-", starting with a letter';
}
