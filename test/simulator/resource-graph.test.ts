import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../simulator/index.js";
import { accessToken, clientsFor, httpsRequest, startFleetSimulator } from "../support/simulator.js";

const SUB_A = "6b0b5a4e-1c2d-4e3f-8a9b-0c1d2e3f4a01";
const SUB_B = "6b0b5a4e-1c2d-4e3f-8a9b-0c1d2e3f4a02";

describe("the simulated Resource Graph", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startFleetSimulator({ resourceGraphPageSize: 2, resourceGraphMaxSubscriptions: 1, faults: { resourceGraphQuota: { limit: 1000, windowSeconds: 5 } } });
  });
  afterAll(() => sim.close());

  it("pages with $skipToken until every row is read", async () => {
    const { resourceGraph } = clientsFor(sim);
    const query = "resources | where type =~ 'microsoft.containerservice/managedclusters' | project id, name | order by id asc";
    const names: string[] = [];
    let skipToken: string | undefined;
    let pages = 0;
    do {
      const page = await resourceGraph.resources({ query, subscriptions: [SUB_A], options: { ...(skipToken && { skipToken }) } });
      expect(page.totalRecords).toBe(3);
      names.push(...(page.data as Array<{ name: string }>).map((r) => r.name));
      skipToken = page.skipToken;
      pages += 1;
    } while (skipToken);
    expect(pages).toBe(2);
    // Ordinal order: checkout-aks's id is spelled ".../resourcegroups/..." and sorts after "resourceGroups".
    expect(names).toEqual(["orders-aks", "payments-aks", "checkout-aks"]);
  });

  it("scopes rows to the subscriptions of the request", async () => {
    const { resourceGraph } = clientsFor(sim);
    const page = await resourceGraph.resources({ query: "resources | where type =~ 'microsoft.containerservice/managedclusters' | project id, subscriptionId", subscriptions: [SUB_B] });
    expect(page.totalRecords).toBe(2);
    expect((page.data as Array<{ subscriptionId: string }>).every((r) => r.subscriptionId === SUB_B)).toBe(true);
  });

  it("truncates instead of paging when id is not projected", async () => {
    const { resourceGraph } = clientsFor(sim);
    const page = await resourceGraph.resources({ query: "resources | where type =~ 'microsoft.containerservice/managedclusters' | project name", subscriptions: [SUB_A] });
    expect(page.resultTruncated).toBe("true");
    expect(page.skipToken).toBeUndefined();
  });

  it("answers a query it does not understand with Resource Graph's 400 error shape", async () => {
    const token = await accessToken(sim);
    const response = await httpsRequest(sim, `${sim.armEndpoint}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ subscriptions: [SUB_A], query: "resources\n| summarize count() by type" }),
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: {
        code: "BadRequest",
        details: [{ code: "InvalidQuery" }, { code: "UnsupportedOperator", token: "summarize", line: 2, characterPositionInLine: 2 }],
      },
    });
  });

  it("makes the real SDK throw on a query it does not understand", async () => {
    const { resourceGraph } = clientsFor(sim);
    await expect(resourceGraph.resources({ query: "resources | mv-expand x", subscriptions: [SUB_A] })).rejects.toMatchObject({ statusCode: 400 });
  });

  it("refuses more subscriptions per query than its limit", async () => {
    const { resourceGraph } = clientsFor(sim);
    await expect(resourceGraph.resources({ query: "resources | project id", subscriptions: [SUB_A, SUB_B] })).rejects.toMatchObject({ statusCode: 400 });
  });

  it("sends the quota headers", async () => {
    const token = await accessToken(sim);
    const response = await httpsRequest(sim, `${sim.armEndpoint}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "resourcecontainers | project id" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers["x-ms-user-quota-remaining"]).toMatch(/^\d+$/);
    expect(response.headers["x-ms-user-quota-resets-after"]).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  it("refuses a request without a bearer token", async () => {
    const response = await httpsRequest(sim, `${sim.armEndpoint}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`, {
      method: "POST",
      body: JSON.stringify({ query: "resources" }),
    });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: "AuthenticationFailed" } });
  });

  it("refuses a token obtained for another audience", async () => {
    const token = await accessToken(sim, "https://graph.microsoft.com/.default");
    const response = await httpsRequest(sim, `${sim.armEndpoint}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "resources" }),
    });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: "InvalidAuthenticationTokenAudience" } });
  });
});

describe("the Resource Graph quota", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startFleetSimulator({ faults: { resourceGraphQuota: { limit: 2, windowSeconds: 60 } } });
  });
  afterAll(() => sim.close());

  it("answers 429 with its quota headers and no Retry-After once the caller's quota is spent, as Resource Graph documents", async () => {
    const token = await accessToken(sim);
    const query = () =>
      httpsRequest(sim, `${sim.armEndpoint}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ query: "resourcecontainers | project id" }),
      });
    const first = await query();
    const second = await query();
    const third = await query();
    expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
    expect(second.headers["x-ms-user-quota-remaining"]).toBe("0");
    expect(third.headers["retry-after"]).toBeUndefined();
    expect(third.headers["x-ms-user-quota-remaining"]).toBe("0");
    expect(third.headers["x-ms-user-quota-resets-after"]).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(third.body).toMatchObject({ error: { code: "RateLimiting" } });
  });
});
