/**
 * Captures what the code under test writes while it runs: process.stdout,
 * process.stderr and every console method (the Functions' and the engine's
 * logs end up in one of them). Nothing is passed through: the text is kept
 * for a test to search for secrets.
 */
export interface CapturedOutput {
  text(): string;
  stop(): void;
}

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;

export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const keep = (value: unknown) => chunks.push(typeof value === "string" ? value : value instanceof Uint8Array ? Buffer.from(value).toString("utf8") : String(value));
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const consoleOriginals = CONSOLE_METHODS.map((m) => [m, console[m]] as const);
  const capture = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk);
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  for (const method of CONSOLE_METHODS) {
    console[method] = (...args: unknown[]) => {
      keep(args.map((a) => (typeof a === "string" ? a : safeJson(a))).join(" ") + "\n");
    };
  }
  return {
    text: () => chunks.join(""),
    stop() {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
      for (const [method, original] of consoleOriginals) console[method] = original;
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return value instanceof Error ? `${value.name}: ${value.message}\n${value.stack ?? ""}` : JSON.stringify(value);
  } catch {
    return String(value);
  }
}
