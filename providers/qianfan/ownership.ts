/**
 * How the resources prove that a remote object is their own before they act on one
 * they did not just create (docs/api/ownership.md §5). A resource's private data holds
 * the claimant token it claimed its object with; the plan adds which object the
 * instance had before, so that a replacement's create knows what it replaces.
 */
import { ProviderError } from '../runtime/diagnostics';
import type { CallContext, ObjectValue, PlanContext, PrivateData } from '../runtime/interfaces';
import type { Owned } from './clients/ownership';
import { newClaimant } from './clients/ownership';
import { str } from './values';

export interface OwnedPrivate {
  /** The token this state claimed its object with; null for imported objects and 0.1.0 states. */
  claimant: string | null;
  /** Set by the plan when the instance had a prior object: the one a replacement replaces. */
  replaces?: { id: string; claimant: string | null };
  /** Anything else a resource keeps (e.g. where the connector's secret comes from). */
  [key: string]: unknown;
}

export function ownedPrivate(data: PrivateData | null): OwnedPrivate {
  const claimant = typeof data?.claimant === 'string' ? data.claimant : null;
  const r = data?.replaces as { id?: unknown; claimant?: unknown } | undefined;
  const replaces = r && typeof r.id === 'string' ? { id: r.id, claimant: typeof r.claimant === 'string' ? r.claimant : null } : undefined;
  return { ...data, claimant, ...(replaces ? { replaces } : {}) };
}

/**
 * Called from modifyPlan: remembers the prior object's id and claimant in the planned
 * private data. Terraform hands it to the create of a replacement (it re-plans the
 * create with prior_private = this planned_private), and only there is it used.
 */
export function rememberPriorObject(ctx: PlanContext<unknown>, prior: ObjectValue | null): void {
  if (prior === null) return;
  const id = str(prior.id);
  if (id === null) return;
  const current = ownedPrivate(ctx.private);
  ctx.setPrivate({ ...current, replaces: { id, claimant: current.claimant } });
}

/** The object this create replaces, if the plan said so. */
export function replacedObject(ctx: CallContext<unknown>): { id: string; claimant: string | null } | null {
  return ownedPrivate(ctx.private).replaces ?? null;
}

/** The outgoing private data of an applied object: its claimant, plus resource extras. */
export function recordOwnership(ctx: CallContext<unknown>, claimant: string | null, extra: Record<string, unknown> = {}): void {
  ctx.setPrivate({ claimant, ...extra });
}

export function claimantOf(ctx: CallContext<unknown>): string | null {
  return ownedPrivate(ctx.private).claimant;
}

export type Takeover =
  /** It is the object this instance is replacing (create_before_destroy): proven by the plan. */
  | { kind: 'replacing'; previousClaimant: string | null }
  /** Unclaimed and made under a creation key: a create that never returned to Terraform. */
  | { kind: 'orphan' }
  | { kind: 'foreign'; why: string };

/** Whether an existing object in a create's way may be taken over, and how. */
export function takeover(existing: Owned & { id: string }, replaced: { id: string; claimant: string | null } | null): Takeover {
  if (replaced && replaced.id === existing.id && existing.claimed_by === replaced.claimant) {
    return { kind: 'replacing', previousClaimant: replaced.claimant };
  }
  if (existing.claimed_by === null && existing.creation_key !== null) return { kind: 'orphan' };
  if (existing.claimed_by !== null) {
    return { kind: 'foreign', why: `it is managed by another Terraform state (claimed ${existing.claimed_at ?? 'earlier'})` };
  }
  return { kind: 'foreign', why: 'it was created outside this provider (in the console, or by another tool)' };
}

export { newClaimant };

/** The create-time refusal every resource words the same way. */
export function refuseTakeover(what: string, why: string, importHint: string, path: string[]): ProviderError {
  return new ProviderError(
    `${what} already exists`,
    `${what} exists and ${why}; nothing was changed. To manage it here, import it (${importHint}); otherwise choose another name or tenant.`,
    path,
  );
}
