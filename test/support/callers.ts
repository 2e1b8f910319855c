/**
 * Callers of the HTTP handlers in tests: development principals
 * (WISCAN_DEV_PRINCIPAL), with the settings that decide where a caller comes
 * from cleared before each test and put back after it.
 */
import { afterEach, beforeEach } from "vitest";

const AUTH_SETTINGS = ["WISCAN_DEV_PRINCIPAL", "WEBSITE_AUTH_ENABLED", "WEBSITE_INSTANCE_ID"] as const;

/** Call at the top of a test file: each test starts with no caller. */
export function isolateCallers(): void {
  let saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    saved = Object.fromEntries(AUTH_SETTINGS.map((k) => [k, process.env[k]]));
    for (const k of AUTH_SETTINGS) delete process.env[k];
  });
  afterEach(() => {
    for (const k of AUTH_SETTINGS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
}

/** Signs the next requests in as this development caller. */
export function signIn(name: string, ...roles: string[]): void {
  process.env["WISCAN_DEV_PRINCIPAL"] = JSON.stringify({ name, roles });
}
