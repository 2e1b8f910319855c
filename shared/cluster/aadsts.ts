/**
 * AADSTS error codes in container log text: the code, how many lines carried
 * it and when it was last seen. The lines themselves are dropped here, since
 * they may hold anything (assertions, client ids, user data).
 */
import type { AadstsLogEvidence } from "./model.js";

const AADSTS_CODE = /AADSTS\d+/g;
/** The kubelet's `timestamps=true` prefix: RFC 3339 with nanoseconds, then one space. */
const TIMESTAMP_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) /;

export function aadstsEvidence(namespace: string, pod: string, container: string, logText: string): AadstsLogEvidence[] {
  const byCode = new Map<string, AadstsLogEvidence>();
  for (const line of logText.split("\n")) {
    const codes = line.match(AADSTS_CODE);
    if (!codes) continue;
    const timestamp = TIMESTAMP_PREFIX.exec(line)?.[1];
    // A line that repeats its code (message plus trace) is still one occurrence.
    for (const code of new Set(codes)) {
      let evidence = byCode.get(code);
      if (!evidence) {
        evidence = { namespace, pod, container, code, count: 0 };
        byCode.set(code, evidence);
      }
      evidence.count += 1;
      if (timestamp !== undefined && (evidence.lastSeen === undefined || Date.parse(timestamp) >= Date.parse(evidence.lastSeen))) {
        evidence.lastSeen = timestamp;
      }
    }
  }
  return [...byCode.values()];
}
