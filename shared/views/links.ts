/**
 * Where a view's links point: the findings API for mail (FINDINGS_API_BASE_URL),
 * the console's own routes for pages. The view builders take one of these and
 * never build a URL themselves.
 */
export interface Links {
  /** The API's base URL for mail; the console's path prefix for pages; undefined when there are no links. */
  base: string | undefined;
  finding(id: string): string;
  scan(id: string): string;
  list(query: Record<string, string>): string;
}

/**
 * Links to the findings API, for mail. Only an https base is used; a team's
 * links stay within its subscription when it has exactly one (the API filters
 * by one subscription at a time).
 */
export function apiLinks(baseUrl: string | undefined, audienceSubscriptions?: readonly string[]): Links {
  const base = baseUrl === undefined || !/^https:\/\//i.test(baseUrl) ? undefined : baseUrl.replace(/\/+$/, "");
  const only: Record<string, string> = audienceSubscriptions?.length === 1 ? { subscription: audienceSubscriptions[0]! } : {};
  return {
    base,
    finding: (id) => (base === undefined ? "" : `${base}/findings/${encodeURIComponent(id)}`),
    scan: (id) => (base === undefined ? "" : `${base}/scans/${encodeURIComponent(id)}`),
    list: (query) => (base === undefined ? "" : `${base}/findings?${new URLSearchParams({ ...only, ...query }).toString()}`),
  };
}

/** Links between the console's pages: root-relative paths under its prefix (CONSOLE_PREFIX). */
export function consoleLinks(prefix: string): Links {
  const base = prefix.replace(/\/+$/, "");
  return {
    base,
    finding: (id) => `${base}/findings/${encodeURIComponent(id)}`,
    scan: (id) => `${base}/scans/${encodeURIComponent(id)}`,
    list: (query) => {
      const search = new URLSearchParams(query).toString();
      return `${base}/findings${search === "" ? "" : `?${search}`}`;
    },
  };
}
