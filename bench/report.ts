/** The benchmark's table: one column per case, one row per measure. */
import { mb, type CaseResult, type TargetCheck } from "./cases.js";
import { REQUEST_KINDS } from "./protocol.js";

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export function resultTable(results: readonly CaseResult[], parseBytesPerSecond: number): string {
  const rows: Array<[string, (r: CaseResult) => string]> = [
    ["clusters / pods", (r) => `${r.facts.clusters} / ${r.facts.pods}`],
    ["subscriptions", (r) => String(r.facts.subscriptions)],
    ["concurrency (clusters x per cluster)", (r) => `${r.config.concurrency} x ${r.config.kubernetesConcurrency} (inv. ${r.config.inventoryConcurrency})`],
    ["wall time", (r) => seconds(r.measurement.wallMs)],
    ["  of which inventory", (r) => seconds(r.measurement.inventoryMs)],
    ...REQUEST_KINDS.map((kind): [string, (r: CaseResult) => string] => [
      `requests ${kind}`,
      (r) => `${r.measurement.requests[kind].requests} (${(r.measurement.requests[kind].requests / Math.max(1, r.facts.clusters)).toFixed(2)}/cluster)`,
    ]),
    ["retries (429/5xx)", (r) => String(REQUEST_KINDS.reduce((sum, k) => sum + r.measurement.requests[k].retries, 0))],
    ["new TLS connections", (r) => `${r.measurement.newConnections} (${REQUEST_KINDS.map((k) => r.measurement.requests[k].connections).join("/")})`],
    ["pod pages fetched / in fleet", (r) => `${r.measurement.podPages} / ${r.expected.podPages}`],
    ["RG requests / pages", (r) => `${r.measurement.requests.resourceGraph.requests - r.measurement.requests.resourceGraph.retries} / ${r.expected.resourceGraphPages}`],
    ["log reads", (r) => String(r.measurement.logReads)],
    ["response bytes", (r) => mb(REQUEST_KINDS.reduce((sum, k) => sum + r.measurement.requests[k].bytes, 0))],
    ["scanner CPU (user+sys)", (r) => seconds(r.measurement.cpuUserMs + r.measurement.cpuSystemMs)],
    ["  of which inventory", (r) => (r.measurement.inventoryCpuMs === undefined ? "-" : seconds(r.measurement.inventoryCpuMs))],
    ["simulator CPU (incl. generation)", (r) => (r.simulator.cpuMs !== undefined ? seconds(r.simulator.cpuMs) : "-")],
    ["peak RSS (scanner)", (r) => mb(r.measurement.peakRssBytes)],
    ["  peak heap used / outside heap", (r) => (r.measurement.peakHeapUsedBytes === undefined ? "-" : `${mb(r.measurement.peakHeapUsedBytes)} / ${mb(r.measurement.peakExternalBytes ?? 0)}`)],
    ["findings", (r) => String(r.measurement.findings)],
    ["findings / s", (r) => (r.measurement.findings / (r.measurement.wallMs / 1000)).toFixed(0)],
    ["clusters scanned", (r) => `${r.measurement.clustersScanned} / ${r.measurement.clusters}`],
    ["bound (a) latency", (r) => `${seconds(r.bound.latencyMs)} (${r.neededRequests} req)`],
    ...boundThrottleRows(results),
    ["bound (c) parsing", (r) => seconds(r.bound.parsingMs)],
    ["lower bound", (r) => `${seconds(r.bound.boundMs)} (${r.bound.limitedBy})`],
    ["wall / bound", (r) => `${r.ratio.toFixed(2)}x`],
    ["load avg before / after", (r) => `${r.loadBefore[0]?.toFixed(1)} / ${r.loadAfter[0]?.toFixed(1)}`],
  ];
  const header = ["", ...results.map((r) => r.name)];
  const body = rows.map(([label, cell]) => [label, ...results.map(cell)]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  return [
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...body.map(line),
    "",
    `JSON.parse rate (measured once on one cluster's responses): ${(parseBytesPerSecond / 2 ** 20).toFixed(0)} MB/s`,
  ].join("\n");
}

function boundThrottleRows(results: readonly CaseResult[]): Array<[string, (r: CaseResult) => string]> {
  const apis = [...new Set(results.flatMap((r) => Object.keys(r.bound.throttlingMs)))];
  return apis.map((api) => [`bound (b) ${api} quota`, (r: CaseResult) => seconds(r.bound.throttlingMs[api] ?? 0)]);
}

export function targetLines(checks: readonly TargetCheck[]): string {
  return checks.map((c) => `${c.met ? "MET   " : "NOT MET"}  ${c.target}: ${c.detail}`).join("\n");
}
