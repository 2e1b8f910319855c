import { describe, expect, it } from "vitest";
import { lowerBound, measureParseRate, quotaTimeMs, resourceGraphPages } from "../../bench/lower-bound.js";
import { armQuota, checkTargets, type CaseResult } from "../../bench/cases.js";
import { requestKind } from "../../bench/request-tally.js";

describe("the lower bound of a scan", () => {
  it("spreads the latency of every needed request over the requests in flight", () => {
    const bound = lowerBound({ requests: 2_000, latencyMs: 25, concurrency: 100, throttled: [], responseBytes: 0, parseBytesPerSecond: 0 });
    expect(bound.latencyMs).toBe(500);
    expect(bound.boundMs).toBe(500);
    expect(bound.limitedBy).toBe("latency");
  });

  it("is the slowest quota when throttling takes longer than latency and parsing", () => {
    const bound = lowerBound({
      requests: 100,
      latencyMs: 25,
      concurrency: 100,
      throttled: [
        { api: "resourceGraph", requests: 31, quota: { limit: 15, windowSeconds: 5 } },
        { api: "armReads", requests: 10, quota: { limit: 250, windowSeconds: 10 } },
      ],
      responseBytes: 1_000_000,
      parseBytesPerSecond: 100_000_000,
    });
    expect(bound.throttlingMs).toEqual({ resourceGraph: 10_000, armReads: 0 });
    expect(bound.limitedBy).toBe("throttling");
    expect(bound.boundMs).toBe(10_000);
  });

  it("is the parse time when the response bytes take longest to parse", () => {
    const bound = lowerBound({ requests: 10, latencyMs: 25, concurrency: 10, throttled: [], responseBytes: 300_000_000, parseBytesPerSecond: 100_000_000 });
    expect(bound.parsingMs).toBe(3_000);
    expect(bound.limitedBy).toBe("parsing");
  });
});

describe("the time a quota lets requests through", () => {
  it("admits a full window at once and each further window after a wait", () => {
    const quota = { limit: 15, windowSeconds: 5 };
    expect(quotaTimeMs(0, quota)).toBe(0);
    expect(quotaTimeMs(15, quota)).toBe(0);
    expect(quotaTimeMs(16, quota)).toBe(5_000);
    expect(quotaTimeMs(31, quota)).toBe(10_000);
  });

  it("stands in for Azure's per-subscription ARM bucket with the fleet's aggregate", () => {
    expect(armQuota({ armBurst: 250, armReadsPerSecond: 25 }, 4)).toEqual({ limit: 1_000, windowSeconds: 10 });
  });
});

describe("the Resource Graph pages of an inventory", () => {
  it("counts an empty result as one page and rounds rows up to whole pages", () => {
    expect(resourceGraphPages([0, 1, 1_000, 1_001, 5_000])).toBe(1 + 1 + 1 + 2 + 5);
  });
});

describe("the parse rate", () => {
  it("reports bytes per second over the time the parsing took", () => {
    let clock = 0;
    const rate = measureParseRate(['{"a":1}', "[1,2,3]"], 10, () => (clock += 5));
    // 14 bytes per round; the clock advances 5 ms per reading: two rounds in 10 ms.
    expect(rate).toBe((14 * 2) / 0.01);
  });

  it("is zero when there is nothing to parse", () => {
    expect(measureParseRate([])).toBe(0);
  });
});

describe("the kind of a request", () => {
  it("tells Resource Graph, ARM, Graph, the token endpoint and Kubernetes apart", () => {
    expect(requestKind(false, "/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01")).toBe("resourceGraph");
    expect(requestKind(false, "/subscriptions/x/resourceGroups/y/providers/Microsoft.ContainerService/managedClusters/z/listClusterUserCredential")).toBe("arm");
    expect(requestKind(false, "/v1.0/applications?$filter=x")).toBe("graph");
    expect(requestKind(false, "/tenant/oauth2/v2.0/token")).toBe("token");
    expect(requestKind(true, "/clusters/aks-0001/api/v1/pods?limit=500")).toBe("kubernetes");
  });
});

describe("the targets", () => {
  it("fails a fleet whose wall time exceeds 1.5 times its lower bound", () => {
    const result = {
      name: "100 clusters",
      kind: "fleet",
      spec: { clusters: 100 },
      measurement: { podPages: 100, peakRssBytes: 100 * 2 ** 20, wallMs: 2_000, requests: { resourceGraph: { requests: 5, retries: 0 } } },
      expected: { podPages: 100, resourceGraphPages: 5 },
      ratio: 2,
    } as unknown as CaseResult;
    const checks = checkTargets([result]);
    expect(checks.find((c) => c.target.startsWith("wall time"))?.met).toBe(false);
    expect(checks.find((c) => c.target.startsWith("at most one request per page"))?.met).toBe(true);
    expect(checks.find((c) => c.target.startsWith("Resource Graph"))?.met).toBe(true);
    expect(checks.find((c) => c.target.startsWith("peak RSS under 300 MB"))?.met).toBe(true);
  });
});
