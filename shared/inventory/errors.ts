import type { InventoryError, InventoryErrorKind } from "./model.js";

/** An HTTP status from an SDK error (RestError), a Graph error, or undefined. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { statusCode?: unknown; status?: unknown };
  if (typeof e.statusCode === "number") return e.statusCode;
  if (typeof e.status === "number") return e.status;
  return undefined;
}

export function kindOf(error: unknown): InventoryErrorKind {
  const status = statusOf(error);
  if (status === 401 || status === 403) return "forbidden";
  if (status === 429) return "throttled";
  if (status === 404) return "not-found";
  return "error";
}

export function inventoryError(error: unknown, operation: string, resource: string | undefined, permission: string): InventoryError {
  const kind = kindOf(error);
  return {
    kind,
    operation,
    ...(resource !== undefined && { resource }),
    message: error instanceof Error ? error.message : String(error),
    ...(kind === "forbidden" && { permission }),
  };
}
