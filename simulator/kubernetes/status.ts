/**
 * Errors as the API server returns them: a `Status` object with the HTTP code,
 * a machine-readable reason and the message kubectl prints.
 */
import type { ServerResponse } from "node:http";

export interface StatusDetails {
  name?: string;
  group?: string;
  /** The resource (plural), as the real server puts it here. */
  kind?: string;
}

export interface KubernetesStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: { continue?: string };
  status: "Failure";
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

export function statusObject(code: number, reason: string, message: string, details?: StatusDetails, continueToken?: string): KubernetesStatus {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: continueToken === undefined ? {} : { continue: continueToken },
    status: "Failure",
    message,
    reason,
    ...(details && { details }),
    code,
  };
}

export function sendStatus(res: ServerResponse, status: KubernetesStatus): void {
  sendJsonText(res, status.code, JSON.stringify(status));
}

export function sendJsonText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-cache, private",
  });
  res.end(text);
}

export const unauthorized = (): KubernetesStatus => statusObject(401, "Unauthorized", "Unauthorized");

export function notFound(resource: string, group: string, name: string): KubernetesStatus {
  const qualified = group === "" ? resource : `${resource}.${group}`;
  return statusObject(404, "NotFound", `${qualified} "${name}" not found`, { name, ...(group !== "" && { group }), kind: resource });
}

export const pathNotFound = (): KubernetesStatus => statusObject(404, "NotFound", "the server could not find the requested resource");

export const badRequest = (message: string): KubernetesStatus => statusObject(400, "BadRequest", message);

export const methodNotAllowed = (method: string): KubernetesStatus =>
  statusObject(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${method})`);

/** What was denied: the real server's message names all of it. */
export interface DeniedRequest {
  user: string;
  verb: string;
  resource: string;
  subresource?: string;
  group: string;
  namespace?: string;
  name?: string;
}

/** `pods "web-1" is forbidden: User "x" cannot get resource "pods/log" in API group "" in the namespace "shop"`. */
export function forbidden(denied: DeniedRequest): KubernetesStatus {
  const qualified = denied.group === "" ? denied.resource : `${denied.resource}.${denied.group}`;
  const subject = denied.name === undefined ? qualified : `${qualified} "${denied.name}"`;
  const resource = denied.subresource === undefined ? denied.resource : `${denied.resource}/${denied.subresource}`;
  const scope = denied.namespace === undefined ? "at the cluster scope" : `in the namespace "${denied.namespace}"`;
  const message = `${subject} is forbidden: User "${denied.user}" cannot ${denied.verb} resource "${resource}" in API group "${denied.group}" ${scope}`;
  return statusObject(403, "Forbidden", message, {
    ...(denied.name !== undefined && { name: denied.name }),
    ...(denied.group !== "" && { group: denied.group }),
    kind: denied.resource,
  });
}
