/**
 * Structured log lines for the scan: one JSON object per line, always with
 * the scan id (and the cluster, inside a cluster's activity), so that
 * Application Insights can filter a scan or a cluster with parse_json. Only
 * ids, counts and error messages go in: never a token, a kubeconfig, a
 * connection string or a snapshot.
 */
import type { InvocationContext } from "@azure/functions";

export type LogValue = string | number | boolean | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;

export interface ScanLog {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** The same log with more fields on every line (e.g. the cluster). */
  with(fields: LogFields): ScanLog;
}

export function scanLog(context: Pick<InvocationContext, "info" | "warn" | "error">, base: LogFields): ScanLog {
  const line = (event: string, fields: LogFields | undefined) => JSON.stringify({ event, ...base, ...fields });
  return {
    info: (event, fields) => context.info(line(event, fields)),
    warn: (event, fields) => context.warn(line(event, fields)),
    error: (event, fields) => context.error(line(event, fields)),
    with: (fields) => scanLog(context, { ...base, ...fields }),
  };
}

/** An error as one line of text for a log field: its message, never its request or headers. */
export function errorText(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.replace(/\s+/g, " ").slice(0, 1000);
}
