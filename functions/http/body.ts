/**
 * The one JSON body reader of the HTTP API, and the error for a body with
 * several invalid fields. Both end in respond()'s 400 shape:
 * `{"error":{"code":"invalid-parameter","parameter":"<first field>","message":"<field>: <reason>; ...","problems":["<field>: <reason>", ...]}}`.
 */
import type { HttpRequest } from "@azure/functions";
import { InvalidParameterError } from "../../shared/store/index.js";

/** Bodies are a few ids or a suppression; 64 KiB is far above any real one and bounds what a caller can make us parse. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * The body parsed as JSON; undefined for an empty body. Throws
 * InvalidParameterError("body", ...) for a body that is too large or not JSON.
 *
 * @example
 * const body = await readJsonBody(request);
 */
export async function readJsonBody(request: HttpRequest, maxBytes = MAX_JSON_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new InvalidParameterError("body", `is larger than ${maxBytes} bytes`);
  const text = await request.text();
  if (Buffer.byteLength(text) > maxBytes) throw new InvalidParameterError("body", `is larger than ${maxBytes} bytes`);
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidParameterError("body", "is not valid JSON");
  }
}

export interface FieldProblem {
  /** The field's path in the body, e.g. "subscriptions[1]". */
  field: string;
  problem: string;
}

/** Several fields are invalid: all are reported at once, the first also as `parameter`. */
export class InvalidFieldsError extends InvalidParameterError {
  readonly problems: string[];
  constructor(problems: readonly [FieldProblem, ...FieldProblem[]]) {
    super(problems[0].field, problems[0].problem);
    this.problems = problems.map((p) => `${p.field}: ${p.problem}`);
    this.message = this.problems.join("; ");
  }
}
