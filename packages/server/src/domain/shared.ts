import { type Kysely, type Selectable, type SelectQueryBuilder, sql } from 'kysely';
import { z } from 'zod';
import type { ChangeBus } from '../db/changes.ts';
import type { Database } from '../db/schema.ts';

/**
 * Building blocks shared by the domain schemas and queries: text that PostgreSQL accepts as is, ids, id lists,
 * pages, and the database errors a service turns into API errors.
 */

/** What every domain service is built from. */
export type DomainDeps = { db: Kysely<Database>; changes: ChangeBus; tenantId: string };

// PostgreSQL rejects NUL in text (error 22021), which would surface as a 500; names also refuse the other
// control characters, which have no place in a label shown in the console.
const controlCharacters = /\p{Cc}/u;

/** A single-line label, trimmed, `min`..`max` characters (the column's `varchar(max)`). */
export const label = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((value) => !controlCharacters.test(value), 'must not contain control characters');

/** Free text (descriptions): any characters but NUL, at most `max`. */
export const freeText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');

/**
 * An id in a path or a body. Generated ids are 21 base64url characters; the built-in rows have readable ids
 * (`management-api`) and the bootstrap app takes its id from `GATEHOUSE_ADMIN_CLIENT_ID` (`[\w.-]{1,128}`).
 */
export const id = () =>
  z.string().regex(/^[\w.-]{1,128}$/, 'must be 1-128 letters, digits, dots, dashes or underscores');

/** A non-empty list of at most 100 ids; duplicates are dropped. */
export const idList = () =>
  z
    .array(id())
    .min(1)
    .max(100)
    .transform((ids) => [...new Set(ids)]);

/** Limit and offset of one page of a list. */
export type Page = { limit: number; offset: number };

/**
 * The Management API's listing over one filtered query of a table with `created_at` and `id`: how many rows
 * match, and one page of them, newest first (ties broken by id, so pages never overlap).
 */
export const pagedListing = <TB extends keyof Database & string, F>(
  // biome-ignore lint/complexity/noBannedTypes: Kysely's selection of a query that selects nothing yet is `{}`.
  filtered: (filter: F) => SelectQueryBuilder<Database, TB, {}>,
) => ({
  count: async (filter: F) => {
    const row = await filtered(filter).select(sql<string>`count(*)`.as('count')).executeTakeFirstOrThrow();
    return Number(row.count);
  },
  list: (filter: F, page: Page) =>
    filtered(filter)
      .selectAll()
      .orderBy(sql`created_at`, 'desc')
      .orderBy(sql`id`)
      .limit(page.limit)
      .offset(page.offset)
      // With the table generic, Kysely cannot name the columns `selectAll` gives: they are the table's row.
      .execute() as unknown as Promise<Array<Selectable<Database[TB]>>>,
});

/** A `search` term as a case-insensitive `LIKE` pattern matching it anywhere, wildcards escaped. */
export const containsPattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const pgErrorCode = (error: unknown): { code?: unknown; constraint?: unknown } =>
  typeof error === 'object' && error !== null ? (error as { code?: unknown; constraint?: unknown }) : {};

/** A unique violation (PostgreSQL 23505), of `constraint` when given. Both pg and PGlite report the name. */
export const isUniqueViolation = (error: unknown, constraint?: string): boolean => {
  const { code, constraint: actual } = pgErrorCode(error);
  return code === '23505' && (constraint === undefined || actual === constraint);
};

/** A foreign key violation (23503): a referenced row was deleted by a concurrent transaction. */
export const isForeignKeyViolation = (error: unknown): boolean => pgErrorCode(error).code === '23503';

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
const schemePattern = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Why `uri` is not an absolute URI without a fragment (RFC 8707 §2 resource indicators, RFC 6749 §3.1.2
 * redirect URIs), or `undefined` when it is one. Whitespace is refused rather than trimmed: these values are
 * compared exactly with what clients send.
 */
export const absoluteUriProblem = (uri: string): string | undefined => {
  if (/[\s\p{Cc}]/u.test(uri)) return 'must not contain whitespace or control characters';
  if (!schemePattern.test(uri) || !URL.canParse(uri)) return 'must be an absolute URI';
  if (uri.includes('#')) return 'must not contain a fragment';
  return undefined;
};

/** The lower-cased scheme of an absolute URI. */
export const schemeOf = (uri: string): string => schemePattern.exec(uri)?.[1]?.toLowerCase() ?? '';

/**
 * Epoch milliseconds, the date format of Logto's Management API. Takes `unknown` because db/schema.ts types
 * `created_at` as `Generated<ColumnType<Date, …>>`, which Kysely selects as the ColumnType itself, not `Date`.
 */
export const epochMs = (date: unknown): number =>
  date instanceof Date ? date.getTime() : new Date(String(date)).getTime();

/**
 * A value for a `jsonb` column: sent as JSON text and cast by PostgreSQL. Typed `never` (assignable to any
 * column) because db/schema.ts wraps `Json` in `Generated`, which Kysely does not unwrap for inserts.
 */
export const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value)} as jsonb)`;
