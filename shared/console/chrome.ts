/** What every page carries for the layout: its title, the navigation, who is signed in, the asset paths. */
import { APP_ROLES, type AppRole, type Caller } from "../auth/index.js";
import { clip } from "../digest/text-bounds.js";
import { TOOL_VERSION } from "../version.js";
import { ASSETS, CONSOLE_PREFIX } from "./paths.js";

export type Section = "overview" | "findings" | "scans";

export interface PageChrome {
  title: string;
  home: string;
  nav: Array<{ href: string; label: string; current: boolean }>;
  caller: string;
  roles: string;
  assets: typeof ASSETS;
  version: string;
}

const NAV: ReadonlyArray<{ section: Section; href: string; label: string }> = [
  { section: "overview", href: CONSOLE_PREFIX, label: "Overview" },
  { section: "findings", href: `${CONSOLE_PREFIX}/findings`, label: "Findings" },
  { section: "scans", href: `${CONSOLE_PREFIX}/scans`, label: "Scans" },
];

export function pageChrome(title: string, section: Section | undefined, caller: Caller | undefined): PageChrome {
  return {
    title: clip(title, "title"),
    home: CONSOLE_PREFIX,
    nav: NAV.map((n) => ({ href: n.href, label: n.label, current: n.section === section })),
    caller: caller === undefined ? "nobody" : clip(caller.name, "name"),
    roles: caller === undefined ? "" : [...caller.roles].sort().join(", "),
    assets: ASSETS,
    version: TOOL_VERSION,
  };
}

/** What the caller may do, for showing only the actions they have the role for (the server checks again). */
export interface Permissions {
  suppress: boolean;
  suppressFleetWide: boolean;
  startScans: boolean;
  sendDigests: boolean;
}

export function permissionsOf(caller: Caller): Permissions {
  const has = (role: AppRole) => caller.roles.has(role);
  return {
    suppress: has(APP_ROLES.writeSuppressions),
    suppressFleetWide: has(APP_ROLES.writeSuppressions) && has(APP_ROLES.suppressFleetWide),
    startScans: has(APP_ROLES.startScans),
    sendDigests: has(APP_ROLES.sendDigests),
  };
}
