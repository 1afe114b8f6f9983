import type { Context } from 'koa';
import type { AuditActor, AuditEntry } from '../audit/audit-log.ts';
import type { ManagementToken } from './guard.ts';

/**
 * Who made a Management API request and from where, for the audit log (issue 6 item 5): the caller the guard
 * verified, the client address as resolved by `clientIp` (a forwarded address only from a TRUST_PROXY peer,
 * SECURITY-TESTS B4) and the user agent.
 */
export const managementAuditOrigin = (
  ctx: Context,
  token = ctx.state.managementToken as ManagementToken | undefined,
): Pick<AuditEntry, 'actor' | 'ip' | 'userAgent'> => ({
  actor: actorOf(token),
  ip: typeof ctx.state.clientIp === 'string' && ctx.state.clientIp !== '' ? ctx.state.clientIp : undefined,
  userAgent: ctx.get('user-agent') || undefined,
});

/**
 * A client credentials token's `sub` is its client id: the actor is that application. A token a user obtained
 * for the Management API (a `User` role carrying its scopes) names the user in `sub`: the actor is the user.
 */
const actorOf = (token: ManagementToken | undefined): AuditActor => {
  const clientId = token?.clientId ?? token?.subject;
  if (token?.subject !== undefined && token.subject !== clientId) return { type: 'user', id: token.subject };
  // Only a guarded route calls this, so a token is there; `system` would be a bug showing, not a guess.
  return clientId ? { type: 'application', id: clientId } : { type: 'system' };
};
