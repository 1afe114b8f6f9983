import { z } from 'zod';
import type { Page } from '../domain/shared.ts';
import { ok, type Reply } from '../http/routes.ts';

/** SPEC §4, as in Logto: `page` (from 1) and `page_size` (1 to 100) in the query, the total in `Total-Number`. */
export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1).describe('Page number, from 1.'),
  page_size: z.coerce.number().int().min(1).max(100).default(20).describe('Items per page, 1 to 100.'),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** The response header that carries the total number of items across all pages. */
export const totalHeader = 'Total-Number';

/**
 * Answers one page of a list: `count` runs first (so it may also check that the parent of a sub-list exists
 * and throw its 404), then `list` for the requested page. A page past the end is an empty array.
 */
export const paginated = async <T>(
  query: PageQuery,
  source: { count: () => Promise<number>; list: (page: Page) => Promise<T[]> },
): Promise<Reply> => {
  const total = await source.count();
  const items = await source.list({ limit: query.page_size, offset: (query.page - 1) * query.page_size });
  return { ...ok(items), headers: { [totalHeader]: String(total) } };
};
