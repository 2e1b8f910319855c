/**
 * Resource Graph as Azure documents it: a 429 carries the quota headers and no
 * Retry-After (so the SDK's pipeline does not retry it), and a tenant-wide
 * query stops at 10,000 subscriptions with x-ms-tenant-subscription-limit-hit.
 */
import { afterEach, describe, expect, it } from "vitest";
import { collectInventory } from "../../shared/inventory/index.js";
import type { Simulator } from "../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("Resource Graph throttling", () => {
  it("waits out a 429 without Retry-After until the quota resets, and loses nothing", async () => {
    // Two inventories at once from one caller spend a quota of 3 queries per 2 s: one of them is refused with 429.
    sim = await startFleetSimulator({ faults: { resourceGraphQuota: { limit: 3, windowSeconds: 2 } } });
    const [a, b] = await Promise.all([collectInventory(clientsFor(sim)), collectInventory(clientsFor(sim))]);
    for (const inventory of [a, b]) {
      expect(inventory.errors).toEqual([]);
      expect(inventory.complete).toBe(true);
    }
    expect(a.clusters.map((c) => c.id).sort()).toEqual(b.clusters.map((c) => c.id).sort());
    expect(a.clusters.length).toBeGreaterThan(0);
  });

  it("makes the inventory incomplete, saying why, when a tenant-wide query stops at the subscription limit", async () => {
    sim = await startFleetSimulator({ resourceGraphTenantSubscriptionLimit: 1 });
    const inventory = await collectInventory(clientsFor(sim));
    expect(inventory.complete).toBe(false);
    expect(inventory.errors.some((e) => e.message.includes("x-ms-tenant-subscription-limit-hit"))).toBe(true);
  });
});
