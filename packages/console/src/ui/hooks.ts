import { useCallback, useEffect, useState } from 'react';

/**
 * The error of a section and a way to run its API calls: `attempt(work)` clears the last error, runs `work`, keeps
 * the failure to show, and answers whether the work went through.
 */
export const useAttempt = () => {
  const [error, setError] = useState<unknown>();
  const attempt = useCallback(async (work: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await work();
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    }
  }, []);
  return { error, setError, attempt };
};

/**
 * What `fetch` answers, fetched again whenever `fetch` changes (wrap it in `useCallback` with what it reads) and on
 * `reload()`. A failed fetch is kept in `error`; with `clearError` (the default) a fetch first clears the last error.
 * `attempt` runs an action on the loaded value with the same error (see `useAttempt`); `change` does and reloads.
 */
export const useLoad = <T>(fetch: () => Promise<T>, { clearError = true }: { clearError?: boolean } = {}) => {
  const { error, setError, attempt } = useAttempt();
  const [value, setValue] = useState<T>();
  const reload = useCallback(async () => {
    if (clearError) setError(undefined);
    try {
      setValue(await fetch());
    } catch (failure) {
      setError(failure);
    }
  }, [fetch, clearError, setError]);
  useEffect(() => {
    void reload();
  }, [reload]);
  /** Runs a change through `attempt`, then loads again what it changed. */
  const change = useCallback(
    (work: () => Promise<unknown>) =>
      attempt(async () => {
        await work();
        await reload();
      }),
    [attempt, reload],
  );
  return { value, setValue, error, setError, attempt, change, reload };
};

/** A paged list (see `useLoad`) and the page shown: `fetchPage(page)` answers one page of `pageSize` items. */
export const usePaged = <T>(
  fetchPage: (page: number) => Promise<{ items: T[]; total: number }>,
  pageSize: number,
) => {
  const [page, setPage] = useState(1);
  const fetch = useCallback(() => fetchPage(page), [fetchPage, page]);
  const { value: list, error } = useLoad(fetch);
  return { list, error, page, setPage, pageSize };
};

export type PagedList<T> = ReturnType<typeof usePaged<T>>;
