/**
 * Where the console lives: under the Functions app's /api prefix (host.json
 * keeps the default routePrefix), beside the API it is built on, so App
 * Service Authentication fronts both and the same app roles decide.
 */
import { consoleLinks } from "../views/index.js";

/** The console's path prefix on the app. */
export const CONSOLE_PREFIX = "/api/console";
/** The same paths as Functions routes (the host adds /api). */
export const CONSOLE_ROUTES = {
  overview: "console",
  findings: "console/findings",
  finding: "console/findings/{id}",
  suppress: "console/findings/{id}/suppress",
  lift: "console/suppressions/{id}/lift",
  scans: "console/scans",
  scan: "console/scans/{id}",
  resend: "console/digests/{scanId}/resend",
  asset: "console/assets/{name}",
} as const;

export const CONSOLE_LINKS = consoleLinks(CONSOLE_PREFIX);

export const ASSETS = { css: `${CONSOLE_PREFIX}/assets/console.css`, js: `${CONSOLE_PREFIX}/assets/console.js` } as const;

export function suppressPath(findingId: string): string {
  return `${CONSOLE_PREFIX}/findings/${encodeURIComponent(findingId)}/suppress`;
}

export function liftPath(suppressionId: string): string {
  return `${CONSOLE_PREFIX}/suppressions/${encodeURIComponent(suppressionId)}/lift`;
}

export function resendPath(scanId: string): string {
  return `${CONSOLE_PREFIX}/digests/${encodeURIComponent(scanId)}/resend`;
}

/** App Service Authentication's sign-in, returning to the page asked for (docs/console.md, "Signing in"). */
export function signInPath(returnTo: string): string {
  return `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(returnTo)}`;
}
