/**
 * The ownership fields and requests of docs/api/ownership.md, shared by the Yufu and
 * aPaaS clients.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const ownershipShape = {
  creation_key: z.string().nullable(),
  claimed_by: z.string().nullable(),
  claimed_at: z.string().nullable(),
};

export interface Owned {
  creation_key: string | null;
  claimed_by: string | null;
  claimed_at: string | null;
}

export interface ClaimRequest {
  claimant: string;
  /** Who must hold the object now for the claim to succeed; null = unclaimed. */
  previousClaimant: string | null;
}

/** A fresh claimant token: recorded in the resource's private state, never shown. */
export const newClaimant = (): string => `qf-claim:${randomBytes(16).toString('hex')}`;

/** `?claimant=` of a conditional delete (empty = only if unclaimed). */
export const claimantQuery = (claimant: string | null): Record<string, string> => ({ claimant: claimant ?? '' });
