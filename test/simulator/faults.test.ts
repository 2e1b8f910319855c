import { describe, expect, it } from "vitest";
import { FaultInjector, parseFaults } from "../../simulator/faults.js";

const armGet = { family: "arm" as const, method: "GET", path: "/subscriptions/s/providers/Microsoft.ContainerService/managedClusters?api-version=2026-04-01" };

describe("the fault matcher", () => {
  it("affects only the first N matching requests when the rule has a count", () => {
    const faults = new FaultInjector({ rules: [{ family: "arm", fault: "status", status: 503, count: 2 }] });
    const actions = [1, 2, 3].map(() => faults.decide(armGet).action);
    expect(actions).toEqual([{ kind: "status", status: 503 }, { kind: "status", status: 503 }, undefined]);
  });

  it("matches on family, cluster, method and path", () => {
    const faults = new FaultInjector({ rules: [{ family: "kubernetes", cluster: "a", method: "get", path: "^/api/v1/pods", fault: "forbidden" }] });
    expect(faults.decide({ family: "kubernetes", cluster: "a", method: "GET", path: "/api/v1/pods?limit=500" }).action).toEqual({ kind: "forbidden" });
    expect(faults.decide({ family: "kubernetes", cluster: "b", method: "GET", path: "/api/v1/pods" }).action).toBeUndefined();
    expect(faults.decide({ family: "kubernetes", cluster: "a", method: "POST", path: "/api/v1/pods" }).action).toBeUndefined();
    expect(faults.decide({ family: "kubernetes", cluster: "a", method: "GET", path: "/api/v1/namespaces" }).action).toBeUndefined();
    expect(faults.decide({ family: "arm", cluster: "a", method: "GET", path: "/api/v1/pods" }).action).toBeUndefined();
  });

  it("rolls the same dice for the same seed", () => {
    const config = { seed: 7, rules: [{ family: "graph" as const, fault: "reset" as const, probability: 0.5 }] };
    const run = () => {
      const faults = new FaultInjector(config);
      return Array.from({ length: 40 }, () => faults.decide({ family: "graph", method: "GET", path: "/v1.0/applications" }).action !== undefined);
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first.filter(Boolean).length).toBeGreaterThan(5);
    expect(first.filter((x) => !x).length).toBeGreaterThan(5);
  });

  it("adds latency from every matching rule to the global latency", () => {
    const faults = new FaultInjector({ latencyMs: 5, rules: [{ family: "arm", fault: "latency", latencyMs: 20 }, { family: "arm", fault: "latency", latencyMs: 30 }] });
    expect(faults.decide(armGet)).toEqual({ latencyMs: 55 });
    expect(new FaultInjector({ latencyMs: 5 }, { latencyMs: 1 }).decide(armGet).latencyMs).toBe(1);
  });

  it("applies the first failing rule that fires", () => {
    const faults = new FaultInjector({ rules: [{ family: "arm", fault: "status", status: 429, retryAfterSeconds: 3 }, { family: "arm", fault: "reset" }] });
    expect(faults.decide(armGet).action).toEqual({ kind: "status", status: 429, retryAfterSeconds: 3 });
  });

  it("knows a cluster that is unreachable for every request", () => {
    const faults = new FaultInjector({ rules: [{ family: "kubernetes", cluster: "a", fault: "unreachable" }, { family: "kubernetes", cluster: "b", fault: "unreachable", count: 1 }] });
    expect(faults.isClusterAlwaysUnreachable("a")).toBe(true);
    expect(faults.isClusterAlwaysUnreachable("b")).toBe(false);
  });

  it("counts the Resource Graph quota per caller and window, 15 per 5 s by default", () => {
    const faults = new FaultInjector(undefined);
    const states = Array.from({ length: 16 }, () => faults.takeResourceGraphQuota("me", 1000));
    expect(states[0]).toEqual({ allowed: true, remaining: 14, resetsAfterMs: 5000 });
    expect(states[14]).toMatchObject({ allowed: true, remaining: 0 });
    expect(states[15]).toMatchObject({ allowed: false, remaining: 0 });
    expect(faults.takeResourceGraphQuota("someone-else", 1000)?.allowed).toBe(true);
    expect(faults.takeResourceGraphQuota("me", 6000)).toMatchObject({ allowed: true, remaining: 14 });
  });

  it("has no ARM read quota unless one is configured", () => {
    expect(new FaultInjector({}).takeArmRead("me")).toBeUndefined();
    expect(new FaultInjector({ armReadQuota: { limit: 1, windowSeconds: 1 } }).takeArmRead("me", 0)).toEqual({ allowed: true, remaining: 0, resetsAfterMs: 1000 });
  });

  it("names the field of an invalid fault description", () => {
    expect(() => parseFaults({ rules: [{ family: "arm", fault: "latency" }] })).toThrowError(/rules\[0\]\.latencyMs: is required/);
    expect(() => parseFaults({ rules: [{ family: "dns", fault: "reset" }] })).toThrowError(/rules\[0\]\.family/);
    expect(() => parseFaults({ rules: [{ family: "arm", fault: "reset", path: "(" }] })).toThrowError(/rules\[0\]\.path: is not a valid regular expression/);
    expect(() => parseFaults({ rules: [{ family: "arm", fault: "endless-continue" }] })).toThrowError(/rules\[0\]\.fault: "endless-continue" is a fault of Kubernetes lists/);
  });
});
