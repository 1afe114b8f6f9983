import { z } from 'zod';
import { id, label } from '../shared.ts';

/**
 * The audit log as the Management API answers it (`GET /api/logs`), in Logto's log shape: `{id, key, payload,
 * createdAt}` with `key` the action and the who / whom / where in `payload`. Gatehouse adds `payload.actor` (a
 * user, an application or Gatehouse itself) and `payload.target` (the connector target), and puts the entry's
 * names and outcomes in `payload.params`. Fields with no value are left out, as Logto does.
 */

/** An epoch-millisecond bound of a time range, as Logto's `start_time` / `end_time` query parameters. */
const EpochMs = z.coerce.number().int().min(0).max(8.64e15);

/**
 * Query filters, Logto's names where Logto has them (`userId`, `applicationId`, `logKey`, `start_time`,
 * `end_time`; both bounds exclusive), Gatehouse's for the rest (`actorId`, `target`).
 */
export const AuditLogFilter = z.object({
  userId: id().optional().describe('Only entries about this user.'),
  logKey: label(64)
    .optional()
    .describe('Only entries of this action (the `key`), e.g. `identity_token.read`.'),
  applicationId: id()
    .optional()
    .describe('Only entries whose actor is this application (a machine-to-machine client id).'),
  actorId: label(128).optional().describe('Only entries whose actor has this id, whatever its type.'),
  target: label(128).optional().describe('Only entries about this connector target (IdP name).'),
  start_time: EpochMs.optional().describe('Only entries created after this time (epoch ms, exclusive).'),
  end_time: EpochMs.optional().describe('Only entries created before this time (epoch ms, exclusive).'),
});
export type AuditLogFilter = z.infer<typeof AuditLogFilter>;

/** Logto answers 400 when `start_time >= end_time`; so does Gatehouse (`request.invalid_query`). */
export const checkTimeRange = (
  query: Pick<AuditLogFilter, 'start_time' | 'end_time'>,
  ctx: { addIssue: (issue: { code: 'custom'; message: string; path: string[] }) => void },
) => {
  if (query.start_time !== undefined && query.end_time !== undefined && query.start_time >= query.end_time) {
    ctx.addIssue({ code: 'custom', message: 'must be greater than start_time', path: ['end_time'] });
  }
};

export const AuditLogParams = z.object({ id: id() });

export const AuditActorType = z.enum(['user', 'application', 'system']);

export const AuditLog = z.object({
  id: z.string(),
  /** The action, a stable dotted name (`identity_token.read`): Logto's log key. */
  key: z.string(),
  payload: z.object({
    key: z.string(),
    /** `Error` for refusals and failures (an action ending in `_denied` or `_failed`), else `Success`. */
    result: z.enum(['Success', 'Error']),
    actor: z.object({ type: AuditActorType, id: z.string().optional() }),
    /** The user whose secret or identity it is. */
    userId: z.string().optional(),
    /** The actor's client id when the actor is an application. */
    applicationId: z.string().optional(),
    /** The connector target (IdP name). */
    target: z.string().optional(),
    ip: z.string().optional(),
    userAgent: z.string().optional(),
    /** Names, ids and outcomes of the entry; never a secret. */
    params: z.record(z.string(), z.unknown()),
  }),
  /** Epoch milliseconds. */
  createdAt: z.number(),
});
export type AuditLog = z.infer<typeof AuditLog>;
