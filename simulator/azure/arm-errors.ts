import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendJson } from "../http.js";

/** ARM's error shape: { error: { code, message } }. */
export function sendArmError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message } }, { "x-ms-request-id": randomUUID(), "x-ms-correlation-request-id": randomUUID(), ...headers });
}
