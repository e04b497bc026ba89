// Ownership records of docs/api/ownership.md, for every kind of object the emulator
// lets clients create: the creation key of the request that made it, and who claimed it.
// Kept in one table beside the objects so each service only calls these helpers.
import type * as http from 'node:http';
import { type Db, migrate } from './db';
import { ApiError, describeJsonType } from './http';

export type OwnedKind = 'yufu_app' | 'apaas_connector' | 'apaas_schedule';

export interface Ownership {
  creation_key: string | null;
  claimed_by: string | null;
  claimed_at: string | null;
}

const UNOWNED: Ownership = { creation_key: null, claimed_by: null, claimed_at: null };
const CLAIMANT = /^[A-Za-z0-9._:-]{16,128}$/;

const MIGRATIONS = [
  `CREATE TABLE ownership (
     kind TEXT NOT NULL,
     object_id TEXT NOT NULL,
     creation_key TEXT,
     claimed_by TEXT,
     claimed_at TEXT,
     PRIMARY KEY (kind, object_id)
   );`,
];

export class OwnershipStore {
  constructor(private readonly db: Db) {
    migrate(db, 'ownership', MIGRATIONS);
  }

  get(kind: OwnedKind, id: string): Ownership {
    const row = this.db.prepare('SELECT creation_key, claimed_by, claimed_at FROM ownership WHERE kind = ? AND object_id = ?').get(kind, id) as
      | Ownership
      | undefined;
    return row ?? { ...UNOWNED };
  }

  /** A new object: unclaimed, with the key of the request that created it (or none). */
  created(kind: OwnedKind, id: string, creationKey: string | null): void {
    this.db
      .prepare('INSERT OR REPLACE INTO ownership (kind, object_id, creation_key, claimed_by, claimed_at) VALUES (?, ?, ?, NULL, NULL)')
      .run(kind, id, creationKey);
  }

  forget(kind: OwnedKind, id: string): void {
    this.db.prepare('DELETE FROM ownership WHERE kind = ? AND object_id = ?').run(kind, id);
  }

  /** The compare-and-set of ownership.md §3; the caller has checked that the object exists. */
  claim(kind: OwnedKind, id: string, request: ClaimRequest, describe: string): Ownership {
    const current = this.get(kind, id);
    if (current.claimed_by === request.claimant) return current;
    if (current.claimed_by !== request.previousClaimant) {
      const held = current.claimed_by === null ? 'is unclaimed' : `was claimed by another client at ${current.claimed_at}`;
      throw new ApiError(
        409,
        'claim_conflict',
        `${describe} ${held}; expected previous_claimant ${request.previousClaimant === null ? 'null (unclaimed)' : 'to match its claimant'}`,
      );
    }
    const claimedAt = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO ownership (kind, object_id, creation_key, claimed_by, claimed_at) VALUES (?, ?, NULL, ?, ?)
         ON CONFLICT(kind, object_id) DO UPDATE SET claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at`,
      )
      .run(kind, id, request.claimant, claimedAt);
    return { ...current, claimed_by: request.claimant, claimed_at: claimedAt };
  }

  /** ownership.md §4: `?claimant=` makes a delete conditional. */
  assertDeletable(kind: OwnedKind, id: string, url: URL, describe: string): void {
    if (!url.searchParams.has('claimant')) return;
    const wanted = url.searchParams.get('claimant') || null;
    const current = this.get(kind, id);
    if (current.claimed_by !== wanted) {
      const held = current.claimed_by === null ? 'is unclaimed' : `is claimed by another client (since ${current.claimed_at})`;
      throw new ApiError(412, 'claim_mismatch', `claimant: ${describe} ${held}; nothing was deleted`, 'claimant');
    }
  }
}

export interface ClaimRequest {
  claimant: string;
  previousClaimant: string | null;
}

function claimantField(body: Record<string, unknown>, field: string, optional: boolean): string | null {
  const v = body[field];
  if ((v === undefined || v === null) && optional) return null;
  if (typeof v !== 'string' || !CLAIMANT.test(v)) {
    const got = typeof v === 'string' ? `${v.length} characters` : describeJsonType(v);
    throw new ApiError(400, 'invalid_argument', `${field}: got ${got}; expected 16 to 128 characters of A-Z a-z 0-9 . _ : -`, field);
  }
  return v;
}

export function parseClaim(body: Record<string, unknown>): ClaimRequest {
  for (const key of Object.keys(body)) {
    if (key !== 'claimant' && key !== 'previous_claimant') {
      throw new ApiError(400, 'unknown_field', `${key}: unknown field; expected only: claimant, previous_claimant`, key);
    }
  }
  return { claimant: claimantField(body, 'claimant', false)!, previousClaimant: claimantField(body, 'previous_claimant', true) };
}

/** The `Idempotency-Key` of a creating request (1–128 characters), or null. */
export function creationKey(req: http.IncomingMessage): string | null {
  const header = req.headers['idempotency-key'];
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined) return null;
  if (key.length < 1 || key.length > 128) {
    throw new ApiError(400, 'invalid_argument', `Idempotency-Key: got ${key.length} characters; expected 1 to 128`, 'Idempotency-Key');
  }
  return key;
}

/** `If-None-Match: *` turns a PUT into create-only (ownership.md §2). */
export function createOnly(req: http.IncomingMessage): boolean {
  return (req.headers['if-none-match'] ?? '').trim() === '*';
}

/** The ownership fields every owned object shows (ownership.md §1). */
export function ownershipFields(o: Ownership): Ownership {
  return { creation_key: o.creation_key, claimed_by: o.claimed_by, claimed_at: o.claimed_at };
}
