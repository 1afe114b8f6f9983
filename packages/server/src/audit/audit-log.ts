import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { newId } from '../domain/ids.ts';

/**
 * The audit log (issue 6 item 5): who read or changed which secret or identity, when, from where. An entry names
 * things (ids, targets, outcomes) and never holds a secret; `data` is for such names only.
 */
export type AuditActor =
  /** A signed-in user, through the Account API or the sign-in pages. */
  | { type: 'user'; id: string }
  /** An application's client id (the Management API's machine-to-machine clients, a backend reading a token). */
  | { type: 'application'; id: string }
  /** Gatehouse itself (a refresh found the upstream grant revoked, a cascade). */
  | { type: 'system'; id?: string };

export type AuditEntry = {
  /** A stable dotted name: `identity.linked`, `identity.unlinked`, `identity_token.read`, … */
  action: string;
  actor: AuditActor;
  /** The user whose secret or identity it is. */
  userId?: string | undefined;
  /** The connector target (IdP name) the entry is about. */
  target?: string | undefined;
  /** The client address (already resolved through TRUST_PROXY) and user agent of the request. */
  ip?: string | undefined;
  userAgent?: string | undefined;
  data?: Record<string, string | number | boolean | null>;
};

export type AuditLog = {
  /** Writes one entry; pass a transaction as `db` to commit it with the change it records. */
  record(entry: AuditEntry, db?: Kysely<Database>): Promise<void>;
};

export const createAuditLog = ({ db, tenantId }: { db: Kysely<Database>; tenantId: string }): AuditLog => ({
  record: async (entry, tx = db) => {
    await tx
      .insertInto('audit_logs')
      .values({
        tenant_id: tenantId,
        id: newId(),
        action: entry.action,
        actor_type: entry.actor.type,
        actor_id: entry.actor.id ?? null,
        user_id: entry.userId ?? null,
        target: entry.target ?? null,
        ip: entry.ip?.slice(0, 64) ?? null,
        user_agent: entry.userAgent?.slice(0, 256) ?? null,
        data: JSON.stringify(entry.data ?? {}),
      })
      .execute();
  },
});
