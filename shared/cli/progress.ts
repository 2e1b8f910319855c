/**
 * Progress for long scans on stderr, so stdout stays clean for results. On a
 * terminal, one line rewritten in place; elsewhere (CI logs, pipes), where a
 * stream of carriage returns would be noise and silence looks like a hang,
 * a plain line every few seconds.
 */
export interface Progress {
  update(done: number, total: number, findings: number): void;
  finish(): void;
}

export const SILENT: Progress = { update() {}, finish() {} };
/** Between two lines in a CI log. */
export const LOG_INTERVAL_MS = 5_000;

export function scanProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, options: { quiet?: boolean; now?: () => number; intervalMs?: number } = {}): Progress {
  if (options.quiet === true) return SILENT;
  return stream.isTTY === true ? terminalProgress(stream) : logProgress(stream, options.now ?? Date.now, options.intervalMs ?? LOG_INTERVAL_MS);
}

export function terminalProgress(stream: NodeJS.WritableStream): Progress {
  let shown = false;
  let last = 0;
  return {
    update(done, total, findings) {
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      shown = true;
      stream.write(`\r\u001b[2Kscanning: ${done}/${total} clusters, ${findings} findings so far`);
    },
    finish() {
      if (shown) stream.write("\r\u001b[2K");
    },
  };
}

/** A line when `intervalMs` has passed since the start or the previous line; the clock is a parameter for tests. */
export function logProgress(stream: NodeJS.WritableStream, now: () => number, intervalMs: number): Progress {
  let last = now();
  return {
    update(done, total, findings) {
      const t = now();
      if (t - last < intervalMs || done >= total) return;
      last = t;
      stream.write(`scanning: ${done} of ${total} clusters done, ${findings} findings so far\n`);
    },
    finish() {},
  };
}
