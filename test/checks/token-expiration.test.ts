/**
 * The webhook's reading of service-account-token-expiration
 * (azure-workload-identity pkg/webhook/webhook.go getServiceAccountTokenExpiration),
 * in the check and in the live probe's choice of lifetime.
 */
import { describe, expect, it } from "vitest";
import { effectiveTokenExpiration, parseGoInt64 } from "../../shared/checks/token-expiration.js";
import { probeTargets } from "../../shared/probe/index.js";
import { CLIENT_ID, NS, SA, first, fires, healthyFleet, only, pod, quiet, serviceAccount, snapshot, workload } from "./builders.js";

const KEY = "azure.workload.identity/service-account-token-expiration";

describe("parseGoInt64 (strconv.ParseInt(s, 10, 64))", () => {
  it("accepts an optional sign, leading zeros and nothing else", () => {
    expect(parseGoInt64("+3600")).toBe(3600n);
    expect(parseGoInt64("-3600")).toBe(-3600n);
    expect(parseGoInt64("003600")).toBe(3600n);
    for (const bad of ["", " 3600", "3600 ", "3600s", "3_600", "0x10", "+", "1e4", "3600.0"]) expect(parseGoInt64(bad), bad).toBeUndefined();
  });

  it("refuses values beyond int64", () => {
    expect(parseGoInt64("9223372036854775807")).toBe(9223372036854775807n);
    expect(parseGoInt64("9223372036854775808")).toBeUndefined();
  });
});

describe("effectiveTokenExpiration", () => {
  it("takes the pod's annotation over the service account's, and ignores empty ones", () => {
    expect(effectiveTokenExpiration({ [KEY]: "7200" }, { [KEY]: "nonsense" })).toEqual({ source: "pod", value: "7200", seconds: 7200 });
    expect(effectiveTokenExpiration({ [KEY]: "" }, { [KEY]: "+5400" })).toEqual({ source: "service-account", value: "+5400", seconds: 5400 });
    expect(effectiveTokenExpiration({ [KEY]: "" }, { [KEY]: "" })).toEqual({ source: "default", seconds: 3600 });
    expect(effectiveTokenExpiration({}, { [KEY]: "100000" })).toMatchObject({ invalid: "out of range" });
  });
});

describe("pod.token-expiration-invalid parses as the webhook does", () => {
  it("accepts +3600 and an empty annotation", () => {
    const fleet = healthyFleet();
    first(fleet).serviceAccounts = [serviceAccount(NS, SA, { "azure.workload.identity/client-id": CLIENT_ID, [KEY]: "" })];
    first(fleet).workloads[0]!.template.annotations = { [KEY]: "+3600" };
    quiet("pod.token-expiration-invalid", fleet);
  });

  it("reports a value with a space, which ParseInt refuses, and says why", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.pods = [];
    s.workloads = [workload("Deployment", "orders-api", {}, { annotations: { [KEY]: " 3600" } })];
    expect(only(fires("pod.token-expiration-invalid", fleet)).evidence).toMatchObject({ rejectedAs: "not an integer" });
  });

  it("reports -3600 as out of range", () => {
    const fleet = healthyFleet();
    first(fleet).serviceAccounts = [serviceAccount(NS, SA, { "azure.workload.identity/client-id": CLIENT_ID, [KEY]: "-3600" })];
    expect(only(fires("pod.token-expiration-invalid", fleet)).evidence).toMatchObject({ rejectedAs: "out of range", found: "-3600" });
  });
});

describe("the probe asks for the lifetime the webhook gives", () => {
  it("uses the pod's annotation over the service account's, +7200 included", () => {
    const s = snapshot({
      serviceAccounts: [serviceAccount(NS, SA, { "azure.workload.identity/client-id": CLIENT_ID, [KEY]: "86400" })],
      workloads: [],
      pods: [pod({ annotations: { [KEY]: "+7200" } })],
    });
    expect(probeTargets(s)).toEqual([{ namespace: NS, serviceAccount: SA, clientId: CLIENT_ID, expirationSeconds: 7200 }]);
  });

  it("falls back to the service account's when the pod's is empty, and to 3600 when the webhook would refuse", () => {
    const s = snapshot({
      serviceAccounts: [serviceAccount(NS, SA, { "azure.workload.identity/client-id": CLIENT_ID, [KEY]: "+5400" })],
      workloads: [],
      pods: [pod({ annotations: { [KEY]: "" } })],
    });
    expect(probeTargets(s)[0]?.expirationSeconds).toBe(5400);
    s.pods = [pod({ annotations: { [KEY]: "3600s" } })];
    expect(probeTargets(s)[0]?.expirationSeconds).toBe(3600);
  });
});
