/**
 * Creating an object a tenant has at most one of (the HR connector, the sync schedule)
 * under the ownership rules of docs/api/ownership.md §5: a create-only save under a
 * creation key and the claim as the last step — so that an apply killed at any earlier
 * point leaves an orphan the next apply can prove is its own — and an existing object
 * taken over only when it is such an orphan.
 */
import { randomUUID } from 'node:crypto';
import type { CallContext } from '../runtime/interfaces';
import type { ClaimRequest, Owned } from './clients/ownership';
import type { QianfanClients } from './config';
import { finalClaim, isOrphan, newClaimant, recordOwnership, refuseTakeover, whyNotOurs } from './ownership';

export interface SingletonOps<T extends Owned> {
  /** "The HR connector of tenant t", for messages. */
  what: string;
  tenantId: string;
  /** Create-only save under `key`; null when the tenant already has one. */
  create(key: string): Promise<T | null>;
  get(): Promise<T | null>;
  /** A plain save over an existing object (after ownership is proven). */
  save(): Promise<T>;
  /** `final`: the claim that ends the create, which a stop must not interrupt (ownership.ts finalClaim). */
  claim(request: ClaimRequest, options?: { final?: boolean }): Promise<T>;
  /** Work between the save and the claim, e.g. waiting for the first sync. */
  afterSave?(saved: T): Promise<void>;
  /** Extra private data to keep beside the claimant. */
  extra?: Record<string, unknown>;
}

export async function createSingleton<T extends Owned>(ctx: CallContext<QianfanClients>, ops: SingletonOps<T>): Promise<T> {
  const key = randomUUID();
  const claimant = newClaimant();
  let saved = await ops.create(key);
  if (saved === null) {
    const existing = await ops.get();
    if (existing === null) {
      saved = await ops.create(key); // deleted meanwhile
      if (saved === null) throw new Error(`${ops.what} appeared and vanished during the create; run apply again`);
    } else if (existing.creation_key === key) {
      saved = existing; // this very create, whose answer was lost and retried
    } else if (isOrphan(existing)) {
      // Claimed first: of two applies racing for one orphan, only the winner saves.
      await ops.claim({ claimant, previousClaimant: null });
      ctx.diagnostics.warning(
        `Adopted ${ops.what}`,
        'it was created by this provider (its creation key is recorded) but never recorded in a state: the apply that created it was interrupted, or failed before recording it (e.g. initial_sync_timeout ran out). It is now managed here.',
      );
      saved = await ops.save();
      await ops.afterSave?.(saved);
      recordOwnership(ctx, claimant, ops.extra);
      return saved;
    } else {
      const why =
        existing.claimed_by !== null
          ? `${whyNotOurs(existing)} — another one, or this one replacing it with create_before_destroy, which cannot work here: a tenant has one, so it cannot be created before the old one is destroyed (remove create_before_destroy for it)`
          : whyNotOurs(existing);
      throw refuseTakeover(ops.what, why, `terraform import <address> ${ops.tenantId}`, ['tenant_id']);
    }
  }
  await ops.afterSave?.(saved);
  const claimed = await finalClaim(ctx, ops.what, () => ops.claim({ claimant, previousClaimant: null }, { final: true }));
  recordOwnership(ctx, claimant, ops.extra);
  return claimed;
}
