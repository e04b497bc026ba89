/**
 * How the resources prove that a remote object is their own before they act on one
 * they did not just create (docs/api/ownership.md §5). A resource's private data holds
 * the claimant token it claimed its object with; an object in a create's way is taken
 * over only when it is an orphan of this provider (unclaimed, made under a creation key).
 *
 * Nothing can be learnt from the plan here: Terraform plans a create_before_destroy
 * replacement's create again at apply time with no prior state and no private data
 * (the object is deposed by then), so plan-time hints never reach that create.
 */
import { ProviderError } from '../runtime/diagnostics';
import type { CallContext, PrivateData } from '../runtime/interfaces';
import type { Owned } from './clients/ownership';

export { newClaimant } from './clients/ownership';

/** The token this state claimed its object with; null for imported objects and 0.1.0 states. */
export function claimantOf(ctx: { private: PrivateData | null }): string | null {
  return typeof ctx.private?.claimant === 'string' ? ctx.private.claimant : null;
}

/** The outgoing private data of an applied object: its claimant, plus resource extras. */
export function recordOwnership(ctx: CallContext<unknown>, claimant: string | null, extra: Record<string, unknown> = {}): void {
  ctx.setPrivate({ claimant, ...extra });
}

/** Unclaimed and made under a creation key: only a create that never returned to Terraform leaves that. */
export const isOrphan = (o: Owned): boolean => o.claimed_by === null && o.creation_key !== null;

/** Why an existing object is not this provider's to take, in words for the user. */
export function whyNotOurs(o: Owned): string {
  return o.claimed_by !== null
    ? `it is managed by a Terraform state (claimed ${o.claimed_at ?? 'earlier'})`
    : 'it was created outside this provider (in the console, or by another tool)';
}

/** The create-time refusal every resource words the same way. */
export function refuseTakeover(what: string, why: string, importHint: string, path: string[]): ProviderError {
  return new ProviderError(
    `${what} already exists`,
    `${what} exists and ${why}; nothing was changed. To manage it here, import it (${importHint}).`,
    path,
  );
}

/**
 * An import declares the object this state's: it takes over the claim it finds (so a
 * destroy from this state can delete it, e.g. after an apply killed right after its
 * claim) and warns when another state may still be managing it.
 */
export function importOwnership(ctx: CallContext<unknown>, what: string, o: Owned, extra: Record<string, unknown> = {}): void {
  recordOwnership(ctx, o.claimed_by, extra);
  if (o.claimed_by !== null) {
    ctx.diagnostics.warning(
      `Imported ${what}, which a Terraform state manages`,
      `${what} is claimed by a Terraform state (since ${o.claimed_at ?? 'earlier'}); two states managing one object undo each other's changes. Remove it from the other state first (terraform state rm).`,
    );
  }
}

/**
 * The claim that ends a create, made only while Terraform is there to record the
 * answer: after Terraform was killed the object stays an orphan, which the next apply
 * adopts (claimed, it could not). A stop (Ctrl-C) does not interrupt it: the object
 * exists, and finishing the claim lets Terraform record it instead of leaving an orphan.
 */
export async function finalClaim<T>(ctx: CallContext<unknown>, what: string, claim: () => Promise<T>): Promise<T> {
  if (!ctx.callerPresent()) {
    throw new ProviderError('Terraform went away', `${what} was created but not claimed, since nobody would record it; the next apply adopts it`);
  }
  return claim();
}
