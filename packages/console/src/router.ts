import { useEffect, useState } from 'react';

/** A tiny history router: the console has few routes, all under /console. */
const listeners = new Set<() => void>();

export const navigate = (path: string, options: { replace?: boolean } = {}) => {
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  for (const listener of listeners) listener();
};

export const usePath = () => {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return path;
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
