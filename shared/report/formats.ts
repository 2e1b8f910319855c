/**
 * Every output format, in one list. The CLI's --output, `wiscan findings` and
 * the HTTP API's ?format= each take a subset of it, and WRITERS (writers.ts)
 * must have an entry for every one: a format without a writer fails to compile.
 */
export const OUTPUT_FORMATS = ["table", "json", "csv", "sarif", "junit", "ocsf"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `wiscan scan`: all of them. */
export const SCAN_OUTPUT_FORMATS = OUTPUT_FORMATS;
/**
 * `wiscan findings`: stored findings are not a test run, so no JUnit; SARIF
 * (for code scanning, with suppressions) and OCSF (for a SIEM, with resolved
 * findings) carry their lifecycle.
 */
export const FINDINGS_OUTPUT_FORMATS = ["table", "json", "csv", "sarif", "ocsf"] as const satisfies readonly OutputFormat[];
/** GET /api/findings?format=: the machine formats, with SARIF and OCSF for the console's exports (stored findings: no JUnit, no table). */
export const HTTP_OUTPUT_FORMATS = ["json", "csv", "sarif", "ocsf"] as const satisfies readonly OutputFormat[];

export function isOutputFormat<T extends OutputFormat>(formats: readonly T[], value: string): value is T {
  return (formats as readonly string[]).includes(value);
}
