import { useEffect, useState } from 'react';

/** Where the console is: the part of the URL after `#`, as a path and its query. */
export interface Route {
  path: string;
  query: URLSearchParams;
}

function current(): Route {
  const hash = window.location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  return { path: path || '/', query: new URLSearchParams(query ?? '') };
}

/** The current route, following hash changes (the API serves one page; routes live after `#`). */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const onChange = () => setRoute(current());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(path: string, query?: Record<string, string | undefined>): void {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) params.set(k, v);
  const search = params.toString();
  window.location.hash = `${path}${search ? `?${search}` : ''}`;
}
