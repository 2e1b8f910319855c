import { describe, expect, it } from "vitest";
import { aadstsEvidence } from "../../shared/cluster/aadsts.js";

describe("aadstsEvidence", () => {
  it("counts each code once per line and remembers the latest timestamp", () => {
    const log = [
      "2026-11-29T10:00:00.000000000Z AADSTS70021: No matching federated identity record found. AADSTS70021",
      "2026-11-29T10:05:00.000000000Z retrying",
      "2026-11-29T10:10:00.000000000Z AADSTS70021: No matching federated identity record found.",
      "2026-11-29T10:11:00.000000000Z AADSTS700211: No matching federated identity record found for presented assertion issuer",
      "",
    ].join("\n");
    expect(aadstsEvidence("shop", "orders-1", "orders", log)).toEqual([
      { namespace: "shop", pod: "orders-1", container: "orders", code: "AADSTS70021", count: 2, lastSeen: "2026-11-29T10:10:00.000000000Z" },
      { namespace: "shop", pod: "orders-1", container: "orders", code: "AADSTS700211", count: 1, lastSeen: "2026-11-29T10:11:00.000000000Z" },
    ]);
  });

  it("leaves lastSeen out when the lines carry no timestamp", () => {
    expect(aadstsEvidence("ns", "p", "c", "error AADSTS90002: Tenant not found")).toEqual([{ namespace: "ns", pod: "p", container: "c", code: "AADSTS90002", count: 1 }]);
  });

  it("finds nothing in logs without AADSTS codes", () => {
    expect(aadstsEvidence("ns", "p", "c", "2026-11-29T10:00:00Z all good\n")).toEqual([]);
  });
});
