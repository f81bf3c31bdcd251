import { decodeCursor, encodeCursor } from './cursor';
import { DEFAULT_PAGE_SIZE, PageQuery } from './page.query';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Keyset paging over time-ordered ids, newest first: the repository is asked for one row more
 * than the page, which tells whether a next page exists without counting.
 */
export async function keysetPage<T extends { id: string }>(
  query: PageQuery,
  fetch: (beforeId: string | undefined, limit: number) => Promise<T[]>,
): Promise<Page<T>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const rows = await fetch(query.cursor ? decodeCursor(query.cursor) : undefined, limit + 1);
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? encodeCursor(data[data.length - 1].id) : null };
}
