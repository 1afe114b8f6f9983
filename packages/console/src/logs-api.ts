/**
 * The Audit logs screen's part of the Management API (`GET /api/logs`, `GET /api/logs/:id`; docs/audit-log.md),
 * spread into `createManagementApi`, and the screen's filters as plain functions: read from the page's URL query
 * (so a filtered view can be linked), checked, and turned into the API's query.
 */

export type AuditLog = {
  id: string;
  /** The action, a stable dotted name (`identity_token.read`): Logto's log key. */
  key: string;
  payload: {
    key: string;
    result: 'Success' | 'Error';
    actor: { type: 'user' | 'application' | 'system'; id?: string };
    userId?: string;
    applicationId?: string;
    target?: string;
    ip?: string;
    userAgent?: string;
    params: Record<string, unknown>;
  };
  /** Epoch milliseconds. */
  createdAt: number;
};

type Call = <T>(
  path: string,
  options?: { method?: string; body?: unknown },
) => Promise<{ body: T; headers: Headers }>;

export const logEndpoints = (call: Call) => ({
  /** One page of entries, newest first; `query` is what `toApiQuery` answers. */
  listLogs: async (query: URLSearchParams) => {
    const { body, headers } = await call<AuditLog[]>(`/api/logs?${query}`);
    return { items: body, total: Number(headers.get('Total-Number') ?? body.length) };
  },
  getLog: async (id: string) => (await call<AuditLog>(`/api/logs/${encodeURIComponent(id)}`)).body,
});

/** The actions Gatehouse records (docs/audit-log.md, "What is logged"), in the order the filter offers them. */
export const knownLogKeys = [
  'user.unlocked',
  'password.changed',
  'email.changed',
  'phone.changed',
  'identity.linked',
  'identity.updated',
  'identity.unlinked',
  'identity_token.stored',
  'identity_token.read',
  'identity_token.read_failed',
  'identity_token.read_denied',
  'identity_token.refreshed',
  'identity_token.deleted',
  'role.user_assigned',
  'role.user_removed',
  'role.scopes_granted',
  'role.scope_revoked',
  'role.applications_assigned',
  'role.application_removed',
] as const;
export type KnownLogKey = (typeof knownLogKeys)[number];

export const isKnownLogKey = (key: string): key is KnownLogKey =>
  (knownLogKeys as readonly string[]).includes(key);

/** The screen's filters as they appear in its URL (`/console/logs?logKey=…&userId=…&from=…&to=…&page=…`). */
export type LogFilters = {
  logKey: string;
  userId: string;
  applicationId: string;
  /** A local calendar day, `YYYY-MM-DD` (an `<input type="date">` value); empty for no bound. */
  from: string;
  to: string;
  page: number;
};

const filterNames = ['logKey', 'userId', 'applicationId', 'from', 'to'] as const;

/** Reads the filters from a URL query string; anything missing is empty, a page that is not a number is 1. */
export const filtersFromSearch = (search: string): LogFilters => {
  const query = new URLSearchParams(search);
  const page = Number(query.get('page'));
  return {
    logKey: query.get('logKey')?.trim() ?? '',
    userId: query.get('userId')?.trim() ?? '',
    applicationId: query.get('applicationId')?.trim() ?? '',
    from: query.get('from')?.trim() ?? '',
    to: query.get('to')?.trim() ?? '',
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
};

/** The URL query for filters (`?…`, or '' when there is none); empty filters and page 1 are left out. */
export const searchOf = (filters: LogFilters): string => {
  const query = new URLSearchParams();
  for (const name of filterNames) if (filters[name]) query.set(name, filters[name]);
  if (filters.page > 1) query.set('page', String(filters.page));
  const text = query.toString();
  return text ? `?${text}` : '';
};

/** Start of a local calendar day (`YYYY-MM-DD`) in epoch ms, or `undefined` when it is not a real date. */
export const dayStart = (day: string): number | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(year, month - 1, date);
  // `new Date` rolls 2026-02-31 over to March: such a day does not exist.
  if (start.getFullYear() !== year || start.getMonth() !== month - 1 || start.getDate() !== date) {
    return undefined;
  }
  return start.getTime();
};

/** The start of the next local day (a DST-safe "+ 1 day"). */
const nextDayStart = (start: number) => {
  const day = new Date(start);
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1).getTime();
};

/** The Management API's id rule (`id()` in packages/server/src/domain/shared.ts). */
const idPattern = /^[\w.-]{1,128}$/;

export type FilterProblem = 'fromInvalid' | 'toInvalid' | 'rangeReversed' | 'userIdInvalid' | 'appIdInvalid';

/** What is wrong with filters before anything is asked of the server (each a phrase key of the screen). */
export const filterProblems = (filters: LogFilters): FilterProblem[] => {
  const problems: FilterProblem[] = [];
  const from = filters.from ? dayStart(filters.from) : undefined;
  const to = filters.to ? dayStart(filters.to) : undefined;
  if (filters.from && from === undefined) problems.push('fromInvalid');
  if (filters.to && to === undefined) problems.push('toInvalid');
  if (from !== undefined && to !== undefined && from > to) problems.push('rangeReversed');
  if (filters.userId && !idPattern.test(filters.userId)) problems.push('userIdInvalid');
  if (filters.applicationId && !idPattern.test(filters.applicationId)) problems.push('appIdInvalid');
  return problems;
};

/**
 * The `GET /api/logs` query for (valid) filters. Days are whole local days, both included: the API's
 * `start_time` and `end_time` are exclusive, so "from day D" is `start_time` = D's start − 1 ms and "to day E" is
 * `end_time` = the start of the day after E.
 */
export const toApiQuery = (filters: LogFilters, pageSize: number): URLSearchParams => {
  const query = new URLSearchParams({ page: String(filters.page), page_size: String(pageSize) });
  if (filters.logKey) query.set('logKey', filters.logKey);
  if (filters.userId) query.set('userId', filters.userId);
  if (filters.applicationId) query.set('applicationId', filters.applicationId);
  const from = filters.from ? dayStart(filters.from) : undefined;
  const to = filters.to ? dayStart(filters.to) : undefined;
  if (from !== undefined) query.set('start_time', String(from - 1));
  if (to !== undefined) query.set('end_time', String(nextDayStart(to)));
  return query;
};
