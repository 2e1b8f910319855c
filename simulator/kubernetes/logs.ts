/**
 * `pods/{name}/log`: the fleet's log lines for a container, served as recent
 * (the last line one second before now, each earlier line one second before
 * the next), with tailLines, sinceSeconds, limitBytes and timestamps applied
 * the way the kubelet applies them.
 */
import type { KubeObject } from "../fleet/model.js";

export type LogAnswer = { ok: true; text: string } | { ok: false; message: string };

export interface LogQuery {
  container?: string;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
  timestamps: boolean;
}

export function podLog(pod: KubeObject, linesOf: (container: string) => readonly string[] | undefined, query: LogQuery, now: Date): LogAnswer {
  const regular = containerNames(pod, "containers");
  const init = containerNames(pod, "initContainers");
  const podName = pod.metadata.name;
  let container = query.container;
  if (container === undefined || container === "") {
    if (regular.length !== 1 || regular[0] === undefined) {
      const initChoice = init.length > 0 ? ` or one of the init containers: [${init.join(" ")}]` : "";
      return { ok: false, message: `a container name must be specified for pod ${podName}, choose one of: [${regular.join(" ")}]${initChoice}` };
    }
    container = regular[0];
  } else if (!regular.includes(container) && !init.includes(container)) {
    return { ok: false, message: `container ${container} is not valid for pod ${podName}` };
  }
  if (phaseOf(pod) === "Pending") {
    return { ok: false, message: `container "${container}" in pod "${podName}" is waiting to start: ContainerCreating` };
  }

  const all = linesOf(container) ?? [];
  const nowMs = now.getTime();
  const timeOf = (index: number): number => nowMs - (all.length - index) * 1000;
  let first = 0;
  if (query.sinceSeconds !== undefined) {
    const since = nowMs - query.sinceSeconds * 1000;
    while (first < all.length && timeOf(first) < since) first += 1;
  }
  if (query.tailLines !== undefined) first = Math.max(first, all.length - query.tailLines);

  const out: string[] = [];
  for (let i = first; i < all.length; i++) {
    out.push(query.timestamps ? `${rfc3339Nano(timeOf(i))} ${all[i]}` : (all[i] ?? ""));
  }
  let text = out.length > 0 ? `${out.join("\n")}\n` : "";
  if (query.limitBytes !== undefined && Buffer.byteLength(text) > query.limitBytes) {
    text = Buffer.from(text).subarray(0, query.limitBytes).toString("utf8");
  }
  return { ok: true, text };
}

function containerNames(pod: KubeObject, field: "containers" | "initContainers"): string[] {
  const spec = pod.spec as Record<string, unknown> | undefined;
  const list = spec?.[field];
  return (Array.isArray(list) ? list : [])
    .map((container: { name?: unknown }) => container.name)
    .filter((value): value is string => typeof value === "string");
}

function phaseOf(pod: KubeObject): string | undefined {
  const status = pod.status as { phase?: unknown } | undefined;
  return typeof status?.phase === "string" ? status.phase : undefined;
}

/** 2026-11-29T10:00:00.123000000Z, the kubelet's timestamp format. */
function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}
