/**
 * The subset of the Kusto Query Language that wiscan's Resource Graph queries
 * use: a table, then `where` (==, =~, !=, !~, in, in~, !in, !in~, and, or,
 * parentheses), `project`, `extend`, `order by`/`sort by` and `limit`/`take`,
 * over property paths. Anything else is a KqlError, which the server answers
 * with Resource Graph's 400 shape: a query the simulator does not understand
 * must fail loudly, not return a plausible empty result.
 */

export const KQL_TABLES = ["resources", "authorizationresources", "resourcecontainers"] as const;
export type KqlTable = (typeof KQL_TABLES)[number];

export class KqlError extends Error {
  override readonly name = "KqlError";
  constructor(
    /** Resource Graph's detail code, e.g. "ParserFailure" or "UnsupportedOperator". */
    readonly code: string,
    message: string,
    readonly position?: number,
    readonly token?: string,
  ) {
    super(message);
  }
}

type Literal = string | number | boolean | null;
type Path = string[];

type Condition =
  | { kind: "compare"; path: Path; op: "==" | "=~" | "!=" | "!~"; value: Literal }
  | { kind: "in"; path: Path; negated: boolean; caseInsensitive: boolean; values: Literal[] }
  | { kind: "and" | "or"; left: Condition; right: Condition };

type Operator =
  | { kind: "where"; condition: Condition }
  | { kind: "project"; columns: Array<{ name: string; path: Path }> }
  | { kind: "extend"; columns: Array<{ name: string; path: Path }> }
  | { kind: "order"; keys: Array<{ path: Path; descending: boolean }> }
  | { kind: "limit"; count: number };

export interface KqlQuery {
  table: KqlTable;
  operators: Operator[];
  /** Names of the result columns when the query projects; undefined when all columns are kept. */
  projectedColumns?: string[];
}

type Token =
  | { type: "ident"; value: string; pos: number }
  | { type: "string"; value: string; pos: number }
  | { type: "number"; value: number; pos: number }
  | { type: "op"; value: string; pos: number }
  | { type: "end"; value: ""; pos: number };

const OPERATORS = ["!in~", "in~", "==", "=~", "!=", "!~", "|", ",", "(", ")", "[", "]", ".", "="];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (text.startsWith("//", i)) {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const start = i;
      let value = "";
      i++;
      while (i < text.length && text[i] !== ch) {
        if (text[i] === "\\" && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else {
          value += text[i];
          i++;
        }
      }
      if (i >= text.length) throw new KqlError("ParserFailure", "Unterminated string literal.", start);
      i++;
      tokens.push({ type: "string", value, pos: start });
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const start = i;
      while (i < text.length && /[0-9]/.test(text[i] ?? "")) i++;
      tokens.push({ type: "number", value: Number(text.slice(start, i)), pos: start });
      continue;
    }
    if (/[A-Za-z_$]/.test(ch)) {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_$]/.test(text[i] ?? "")) i++;
      let value = text.slice(start, i);
      // in~ and !in are operators spelled with letters.
      if (value === "in" && text[i] === "~") {
        value = "in~";
        i++;
        tokens.push({ type: "op", value, pos: start });
        continue;
      }
      tokens.push({ type: "ident", value, pos: start });
      continue;
    }
    if (text.startsWith("!in", i) && !/[A-Za-z0-9_]/.test(text[i + 3] ?? "")) {
      tokens.push({ type: "op", value: "!in", pos: i });
      i += 3;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw new KqlError("ParserFailure", `Unexpected character '${ch}'.`, i, ch);
    tokens.push({ type: "op", value: op, pos: i });
    i += op.length;
  }
  tokens.push({ type: "end", value: "", pos: text.length });
  return tokens;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.index] ?? { type: "end", value: "", pos: 0 };
  }

  private next(): Token {
    const token = this.peek();
    this.index++;
    return token;
  }

  private fail(message: string, token = this.peek()): never {
    throw new KqlError("ParserFailure", message, token.pos, String(token.value));
  }

  private expectOp(value: string): void {
    const token = this.next();
    if (token.type !== "op" || token.value !== value) this.fail(`Expected '${value}'.`, token);
  }

  private isOp(value: string): boolean {
    const token = this.peek();
    return token.type === "op" && token.value === value;
  }

  private isKeyword(value: string): boolean {
    const token = this.peek();
    return token.type === "ident" && token.value === value;
  }

  private identifier(): string {
    const token = this.next();
    if (token.type !== "ident") this.fail("Expected an identifier.", token);
    return token.value;
  }

  parse(): KqlQuery {
    const tableToken = this.next();
    if (tableToken.type !== "ident") this.fail("Expected a table name.", tableToken);
    const table = tableToken.value.toLowerCase();
    if (!(KQL_TABLES as readonly string[]).includes(table)) {
      throw new KqlError("UnknownTable", `Table '${tableToken.value}' is not supported by the fleet simulator (supported: ${KQL_TABLES.join(", ")}).`, tableToken.pos, tableToken.value);
    }
    const operators: Operator[] = [];
    let projectedColumns: string[] | undefined;
    while (this.peek().type !== "end") {
      this.expectOp("|");
      const opToken = this.next();
      if (opToken.type !== "ident") this.fail("Expected a query operator.", opToken);
      switch (opToken.value) {
        case "where":
          operators.push({ kind: "where", condition: this.orCondition() });
          break;
        case "project": {
          const columns = this.columnList(false);
          operators.push({ kind: "project", columns });
          projectedColumns = columns.map((c) => c.name);
          break;
        }
        case "extend": {
          const columns = this.columnList(true);
          operators.push({ kind: "extend", columns });
          if (projectedColumns) projectedColumns = [...projectedColumns, ...columns.map((c) => c.name).filter((n) => !projectedColumns?.includes(n))];
          break;
        }
        case "order":
        case "sort": {
          if (!this.isKeyword("by")) this.fail(`Expected 'by' after '${opToken.value}'.`);
          this.next();
          operators.push({ kind: "order", keys: this.orderKeys() });
          break;
        }
        case "limit":
        case "take": {
          const count = this.next();
          if (count.type !== "number") this.fail("Expected a number.", count);
          operators.push({ kind: "limit", count: count.value });
          break;
        }
        default:
          throw new KqlError(
            "UnsupportedOperator",
            `Query operator '${opToken.value}' is not supported by the fleet simulator (supported: where, project, extend, order by, sort by, limit, take).`,
            opToken.pos,
            opToken.value,
          );
      }
      const after = this.peek();
      if (after.type !== "end" && !(after.type === "op" && after.value === "|")) this.fail("Unexpected token.", after);
    }
    return { table: table as KqlTable, operators, ...(projectedColumns && { projectedColumns }) };
  }

  private orCondition(): Condition {
    let left = this.andCondition();
    while (this.isKeyword("or")) {
      this.next();
      left = { kind: "or", left, right: this.andCondition() };
    }
    return left;
  }

  private andCondition(): Condition {
    let left = this.atom();
    while (this.isKeyword("and")) {
      this.next();
      left = { kind: "and", left, right: this.atom() };
    }
    return left;
  }

  private atom(): Condition {
    if (this.isOp("(")) {
      this.next();
      const inner = this.orCondition();
      this.expectOp(")");
      return inner;
    }
    const path = this.path();
    const op = this.next();
    if (op.type === "op" && (op.value === "==" || op.value === "=~" || op.value === "!=" || op.value === "!~")) {
      return { kind: "compare", path, op: op.value, value: this.literal() };
    }
    const inOps: Record<string, { negated: boolean; caseInsensitive: boolean }> = {
      in: { negated: false, caseInsensitive: false },
      "in~": { negated: false, caseInsensitive: true },
      "!in": { negated: true, caseInsensitive: false },
      "!in~": { negated: true, caseInsensitive: true },
    };
    const inOp = inOps[String(op.value)];
    if ((op.type === "op" || op.type === "ident") && inOp) {
      this.expectOp("(");
      const values: Literal[] = [this.literal()];
      while (this.isOp(",")) {
        this.next();
        values.push(this.literal());
      }
      this.expectOp(")");
      return { kind: "in", path, ...inOp, values };
    }
    throw new KqlError(
      "UnsupportedOperator",
      `Comparison '${op.value}' is not supported by the fleet simulator (supported: ==, =~, !=, !~, in, in~, !in, !in~).`,
      op.pos,
      String(op.value),
    );
  }

  private literal(): Literal {
    const token = this.next();
    if (token.type === "string" || token.type === "number") return token.value;
    if (token.type === "ident" && (token.value === "true" || token.value === "false")) return token.value === "true";
    if (token.type === "ident" && token.value === "null") return null;
    this.fail("Expected a literal (string, number, true, false).", token);
  }

  private path(): Path {
    const first = this.next();
    if (first.type !== "ident") this.fail("Expected a column or property path.", first);
    if (this.isOp("(")) {
      throw new KqlError("UnknownFunction", `Unknown function: '${first.value}'. The fleet simulator supports property paths only.`, first.pos, first.value);
    }
    const path = [first.value];
    for (;;) {
      if (this.isOp(".")) {
        this.next();
        path.push(this.identifier());
      } else if (this.isOp("[")) {
        this.next();
        const key = this.next();
        if (key.type !== "string") this.fail("Expected a quoted property name.", key);
        path.push(key.value);
        this.expectOp("]");
      } else {
        return path;
      }
    }
  }

  private columnList(requireName: boolean): Array<{ name: string; path: Path }> {
    const columns: Array<{ name: string; path: Path }> = [];
    do {
      if (columns.length > 0) this.next();
      const start = this.peek();
      const path = this.path();
      if (this.isOp("=")) {
        this.next();
        if (path.length !== 1) this.fail("A column name cannot be a path.", start);
        columns.push({ name: path[0] ?? "", path: this.path() });
      } else {
        if (requireName) this.fail("extend needs 'name = expression'.", start);
        // Kusto names an unnamed path column by joining its parts with "_".
        columns.push({ name: path.join("_"), path });
      }
    } while (this.isOp(","));
    return columns;
  }

  private orderKeys(): Array<{ path: Path; descending: boolean }> {
    const keys: Array<{ path: Path; descending: boolean }> = [];
    do {
      if (keys.length > 0) this.next();
      const path = this.path();
      let descending = true; // Kusto sorts descending unless told otherwise
      if (this.isKeyword("asc") || this.isKeyword("desc")) descending = this.next().value === "desc";
      keys.push({ path, descending });
    } while (this.isOp(","));
    return keys;
  }
}

export function parseKql(text: string): KqlQuery {
  return new Parser(tokenize(text)).parse();
}

export type Row = Record<string, unknown>;

/** Runs a parsed query over the rows of its table. */
export function runKql(query: KqlQuery, rows: readonly Row[]): Row[] {
  let current: Row[] = [...rows];
  for (const op of query.operators) {
    switch (op.kind) {
      case "where":
        current = current.filter((row) => test(op.condition, row));
        break;
      case "project":
        current = current.map((row) => Object.fromEntries(op.columns.map((c) => [c.name, resolve(row, c.path) ?? null])));
        break;
      case "extend":
        current = current.map((row) => ({ ...row, ...Object.fromEntries(op.columns.map((c) => [c.name, resolve(row, c.path) ?? null])) }));
        break;
      case "order":
        current = [...current].sort((a, b) => {
          for (const key of op.keys) {
            const order = compareValues(resolve(a, key.path), resolve(b, key.path));
            if (order !== 0) return key.descending ? -order : order;
          }
          return 0;
        });
        break;
      case "limit":
        current = current.slice(0, op.count);
        break;
    }
  }
  return current;
}

function test(condition: Condition, row: Row): boolean {
  switch (condition.kind) {
    case "and":
      return test(condition.left, row) && test(condition.right, row);
    case "or":
      return test(condition.left, row) || test(condition.right, row);
    case "compare": {
      const value = resolve(row, condition.path);
      switch (condition.op) {
        case "==":
          return equals(value, condition.value, false);
        case "=~":
          return equals(value, condition.value, true);
        case "!=":
          return !equals(value, condition.value, false);
        case "!~":
          return !equals(value, condition.value, true);
      }
      break;
    }
    case "in": {
      const value = resolve(row, condition.path);
      const found = condition.values.some((v) => equals(value, v, condition.caseInsensitive));
      return condition.negated ? !found : found;
    }
  }
  return false;
}

function equals(value: unknown, literal: Literal, caseInsensitive: boolean): boolean {
  if (typeof value === "string" && typeof literal === "string") {
    return caseInsensitive ? value.toLowerCase() === literal.toLowerCase() : value === literal;
  }
  if (value === undefined) return literal === null;
  return value === literal;
}

/** Property lookup; Kusto's dynamic access is case-sensitive, columns too. */
function resolve(row: Row, path: Path): unknown {
  let current: unknown = row;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
