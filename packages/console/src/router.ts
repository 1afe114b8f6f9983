import { useEffect, useState } from 'react';

/** A tiny history router: the console has few routes, all under /console. */
const listeners = new Set<() => void>();

export const navigate = (path: string, options: { replace?: boolean } = {}) => {
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  for (const listener of listeners) listener();
};

/** Follows one part of the address (the path, or the query) through navigations and back / forward. */
const useLocationPart = (read: () => string) => {
  const [value, setValue] = useState(read);
  useEffect(() => {
    const update = () => setValue(read());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, [read]);
  return value;
};

const readPath = () => window.location.pathname;
const readSearch = () => window.location.search;

export const usePath = () => useLocationPart(readPath);

/** The query (`?…`) of the current address; `go` moves to another query on the same path. */
export const useSearch = () => {
  const search = useLocationPart(readSearch);
  const go = (next: string) => navigate(`${window.location.pathname}${next}`);
  return { search, go };
};

/** Props for an `<a>` that navigates inside the app (a real link: middle-click and keyboard work). */
export const linkTo = (path: string) => ({
  href: path,
  onClick: (event: { preventDefault(): void; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean }) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(path);
  },
});
