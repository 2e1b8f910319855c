/** The scans page (finished scans, the start form) and one scan's status page (the store's view, the orchestration's state, the resend form). */
import type { Page, ScanDetails, ScanSummary } from "../store/model.js";
import { clip } from "../digest/text-bounds.js";
import { formatDuration, formatInstant } from "../views/index.js";
import type { PageChrome, Permissions } from "./chrome.js";
import { CONSOLE_LINKS, CONSOLE_PREFIX, resendPath } from "./paths.js";

export interface ScansPageView {
  page: PageChrome;
  startForm: { action: string; csrf: string } | undefined;
  scans: Array<{ id: string; href: string; startedAt: string; trigger: string; clusters: string; findings: number; complete: string }>;
  nextPage: string | undefined;
}

export function buildScansPageView(page: PageChrome, scans: Page<ScanSummary>, permissions: Permissions, csrf: string): ScansPageView {
  return {
    page,
    startForm: permissions.startScans ? { action: `${CONSOLE_PREFIX}/scans`, csrf } : undefined,
    scans: scans.items.map((s) => ({
      id: clip(s.id, "name"),
      href: CONSOLE_LINKS.scan(s.id),
      startedAt: formatInstant(s.startedAt),
      trigger: clip(s.trigger, "name"),
      clusters: `${s.counts.clustersScanned} of ${s.counts.clusters}`,
      findings: s.counts.findings,
      complete: s.complete ? "yes" : "no",
    })),
    nextPage: scans.continuationToken === undefined ? undefined : `${CONSOLE_PREFIX}/scans?${new URLSearchParams({ continuationToken: scans.continuationToken }).toString()}`,
  };
}

/** What the orchestration says of a scan, when the host runs Durable Functions (not in `wiscan serve`). */
export interface OrchestrationState {
  runtimeStatus: string;
  progress: string | undefined;
}

export interface ScanPageView {
  page: PageChrome;
  id: string;
  href: string;
  state: string;
  progress: string | undefined;
  running: boolean;
  summary: string | undefined;
  clusters: Array<{ cluster: string; subscription: string; status: string; reason: string; findings: number; duration: string }>;
  resendForm: { action: string; csrf: string } | undefined;
}

const RUNNING = new Set(["Pending", "Running", "ContinuedAsNew"]);

export function buildScanPageView(
  page: PageChrome,
  id: string,
  stored: (Omit<ScanDetails, "scan"> & { scan?: ScanSummary }) | undefined,
  orchestration: OrchestrationState | undefined,
  permissions: Permissions,
  csrf: string,
): ScanPageView {
  const running = orchestration !== undefined && RUNNING.has(orchestration.runtimeStatus);
  const scan = stored?.scan;
  const state = running
    ? `Running (${orchestration!.runtimeStatus})`
    : scan !== undefined
      ? scan.complete
        ? "Finished"
        : "Finished, incomplete"
      : orchestration !== undefined
        ? clip(orchestration.runtimeStatus, "name")
        : "Not finished yet";
  return {
    page,
    id: clip(id, "name"),
    href: CONSOLE_LINKS.scan(id),
    state,
    progress: orchestration?.progress === undefined ? undefined : clip(orchestration.progress, "reason"),
    running,
    summary:
      scan === undefined
        ? undefined
        : `Started ${formatInstant(scan.startedAt)}, took ${formatDuration(scan.durationMs)}: ${scan.counts.clustersScanned} of ${scan.counts.clusters} clusters read, ${scan.counts.findings} findings.`,
    clusters: (stored?.clusters ?? []).map((h) => ({
      cluster: clip(h.cluster, "name"),
      subscription: clip(h.subscriptionId, "name"),
      status: h.findingsSaved ? h.status : `${h.status}, findings not saved`,
      reason: clip(h.reason ?? "", "reason"),
      findings: h.findings,
      duration: formatDuration(h.durationMs),
    })),
    resendForm: permissions.sendDigests && scan !== undefined ? { action: resendPath(id), csrf } : undefined,
  };
}
