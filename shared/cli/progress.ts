/**
 * Progress for long scans on stderr, so stdout stays clean for results. Silent
 * when stderr is not a terminal (CI logs, pipes), where a stream of carriage
 * returns would only be noise.
 */
export interface Progress {
  update(done: number, total: number, findings: number): void;
  finish(): void;
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, finish() {} };
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
