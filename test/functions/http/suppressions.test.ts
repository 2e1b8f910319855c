/**
 * /api/suppressions against the Azurite of the test setup, through real
 * HttpRequest objects: who may create, lift and read suppressions, and what a
 * suppression must say. Callers are development principals (WISCAN_DEV_PRINCIPAL)
 * or, for the platform path, an x-ms-client-principal header with WEBSITE_AUTH_ENABLED.
 */
import { isolateCallers, signIn } from "../../support/callers.js";
import { callHandler } from "../../support/http.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getFinding, listFindings } from "../../../functions/http/findings.js";
import { useFindingsStore } from "../../../functions/http/store-instance.js";
import { createSuppression, deleteSuppression, listSuppressions } from "../../../functions/http/suppressions.js";
import { listSuppressionAudit } from "../../../functions/http/suppression-audit.js";
import { APP_ROLES } from "../../../shared/auth/index.js";
import type { Finding } from "../../../shared/findings/index.js";
import type { FindingsStore } from "../../../shared/store/index.js";
import { health, saFinding, scanRun, testStore } from "../../store/fixtures.js";


const call = callHandler;

isolateCallers();
const WRITER = [APP_ROLES.readFindings, APP_ROLES.writeSuppressions];

const S1 = "2026-11-02T06:00:00.000Z";
const low = saFinding("aks-one", "batch", "runner", "pod.label-missing", "low");
const other = saFinding("aks-one", "payments", "api");
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const body = { checkId: "pod.label-missing", namespace: "batch", reason: "batch jobs never call Azure", expiresAt: inDays(30) };

let store: FindingsStore;
beforeAll(async () => {
  ({ store } = await testStore("httpsupp"));
  useFindingsStore(store);
  await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [low, other]), [low, other]);
});
afterAll(() => useFindingsStore(undefined));

async function lift(id: string, reason = "the jobs now use workload identity") {
  return call(deleteSuppression, `suppressions/${id}`, { method: "DELETE", params: { id }, body: { reason } });
}

describe("POST /api/suppressions", () => {
  it("creates a suppression signed by the caller, hiding matching findings; the finding's history says who, why, until when, and who lifted it", async () => {
    signIn("alice@example.com", ...WRITER);
    const created = await call(createSuppression, "suppressions", { method: "POST", body });
    expect(created.status).toBe(201);
    const id = created.json["id"] as string;
    expect(created.json).toMatchObject({ checkId: "pod.label-missing", pattern: { namespace: "batch" }, createdBy: "alice@example.com", createdById: "dev:alice@example.com" });

    const suppressed = await call(listFindings, "findings?status=suppressed");
    expect((suppressed.json["items"] as Finding[]).map((f) => f.id)).toEqual([low.id]);
    const listed = await call(listSuppressions, "suppressions");
    expect(listed.json["items"]).toEqual([expect.objectContaining({ id, state: "active", expired: false })]);

    signIn("bob@example.com", ...WRITER);
    const lifted = await lift(id);
    expect(lifted.status).toBe(200);
    expect(lifted.json).toMatchObject({ id, lifted: { by: "bob@example.com", reason: "the jobs now use workload identity" } });
    expect((await lift(id)).status).toBe(409);
    expect((await lift("no-such-suppression")).status).toBe(404);

    // Lifted: a tombstone, listed and no longer applied.
    const after = await call(listSuppressions, "suppressions");
    expect(after.json["items"]).toEqual([expect.objectContaining({ id, state: "lifted", createdBy: "alice@example.com", lifted: expect.objectContaining({ by: "bob@example.com" }) })]);
    const open = await call(listFindings, "findings?severity=low");
    expect((open.json["items"] as Finding[]).map((f) => f.id)).toEqual([low.id]);

    const finding = await call(getFinding, `findings/${low.id}`, { params: { id: low.id } });
    expect(finding.status).toBe(200);
    expect(finding.json["history"]).toEqual([
      expect.objectContaining({ scanId: "scan-1", event: "new", status: "open" }),
      expect.objectContaining({
        event: "suppressed",
        status: "suppressed",
        suppression: { id, createdBy: "alice@example.com", reason: "batch jobs never call Azure", expiresAt: body.expiresAt },
      }),
      expect.objectContaining({
        event: "suppression-lifted",
        status: "open",
        suppression: { id, createdBy: "alice@example.com", reason: "batch jobs never call Azure", expiresAt: body.expiresAt, liftedBy: "bob@example.com", liftReason: "the jobs now use workload identity" },
      }),
    ]);
    expect((await store.listSuppressionAudit(id)).map((a) => [a.event, a.by])).toEqual([
      ["created", "alice@example.com"],
      ["lifted", "bob@example.com"],
    ]);

    // The same trail over HTTP, a page at a time.
    const first = await call(listSuppressionAudit, `suppression-audit?suppression=${id}&pageSize=1`);
    expect(first.status).toBe(200);
    expect((first.json["items"] as Array<{ event: string; by: string; reason: string }>).map((a) => [a.event, a.by, a.reason])).toEqual([["created", "alice@example.com", "batch jobs never call Azure"]]);
    const token = first.json["continuationToken"] as string;
    const second = await call(listSuppressionAudit, `suppression-audit?suppression=${id}&pageSize=1&continuationToken=${token}`);
    expect((second.json["items"] as Array<{ event: string; by: string }>).map((a) => [a.event, a.by])).toEqual([["lifted", "bob@example.com"]]);
    // A token continues only the query it came from.
    const elsewhere = await call(listSuppressionAudit, `suppression-audit?pageSize=1&continuationToken=${token}`);
    expect([elsewhere.status, (elsewhere.json["error"] as { message: string }).message]).toEqual([400, expect.stringMatching(/^continuationToken/)]);
  });

  for (const [query, parameter] of [
    ["suppression=not-a-guid", "suppression"],
    ["pageSize=0", "pageSize"],
    ["pageSize=5000", "pageSize"],
    ["since=2026-11-01", "since"],
  ]) {
    it(`GET /api/suppression-audit?${query} answers 400 naming ${parameter}`, async () => {
      signIn("reader@example.com", APP_ROLES.readFindings);
      const r = await call(listSuppressionAudit, `suppression-audit?${query}`);
      expect(r.status).toBe(400);
      expect((r.json["error"] as { message: string }).message).toMatch(new RegExp(`^${parameter}`));
    });
  }

  it("answers 401 to a caller nobody signed in, and ignores a forged principal header where the platform does not set it", async () => {
    const unsigned = await call(createSuppression, "suppressions", { method: "POST", body });
    expect(unsigned.status).toBe(401);
    const forged = Buffer.from(JSON.stringify({ claims: [{ typ: "oid", val: "x" }, { typ: "roles", val: APP_ROLES.writeSuppressions }] })).toString("base64");
    const forgedCall = await call(createSuppression, "suppressions", { method: "POST", body, headers: { "x-ms-client-principal": forged, "x-ms-client-principal-name": "ciso@example.com" } });
    expect(forgedCall.status).toBe(401);
    expect(await store.listSuppressionAudit()).toEqual(expect.not.arrayContaining([expect.objectContaining({ by: "ciso@example.com" })]));
  });

  it("answers 403 naming the role to a reader, for creating and for lifting", async () => {
    signIn("reader@example.com", APP_ROLES.readFindings);
    const r = await call(createSuppression, "suppressions", { method: "POST", body });
    expect(r.status).toBe(403);
    expect(r.json["error"]).toMatchObject({ role: APP_ROLES.writeSuppressions });
    expect((await lift("whatever")).status).toBe(403);
    signIn("nobody@example.com");
    expect((await call(listSuppressions, "suppressions")).status).toBe(403);
  });

  it("refuses a createdBy in the body: the author is the signed-in caller", async () => {
    signIn("mallory@example.com", ...WRITER);
    const r = await call(createSuppression, "suppressions", { method: "POST", body: { ...body, createdBy: "ciso@example.com" } });
    expect(r.status).toBe(400);
    expect(r.json["error"]).toMatchObject({ parameter: "createdBy", message: expect.stringMatching(/signed-in caller/) });
  });

  it("needs Suppressions.FleetWide besides Suppressions.Write for a fleet-wide suppression, with the explicit flag", async () => {
    const fleetWide = { checkId: "sa.no-matching-fic", fleetWide: true, reason: "tracked in SEC-42", expiresAt: inDays(10) };
    signIn("alice@example.com", ...WRITER);
    const refused = await call(createSuppression, "suppressions", { method: "POST", body: fleetWide });
    expect(refused.status).toBe(403);
    expect(refused.json["error"]).toMatchObject({ role: APP_ROLES.suppressFleetWide });

    // The platform path: App Service Authentication signs the caller in and hands over the roles.
    process.env["WEBSITE_AUTH_ENABLED"] = "True";
    const principal = {
      auth_typ: "aad",
      claims: [
        { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: "11111111-2222-3333-4444-555555555555" },
        { typ: "preferred_username", val: "ciso@example.com" },
        { typ: "roles", val: APP_ROLES.writeSuppressions },
        { typ: "roles", val: APP_ROLES.suppressFleetWide },
      ],
    };
    const headers = { "x-ms-client-principal": Buffer.from(JSON.stringify(principal)).toString("base64"), "x-ms-client-principal-idp": "aad" };
    const created = await call(createSuppression, "suppressions", { method: "POST", body: fleetWide, headers });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ fleetWide: true, pattern: {}, createdBy: "ciso@example.com", createdById: "11111111-2222-3333-4444-555555555555" });
    const id = created.json["id"] as string;
    expect((await call(deleteSuppression, `suppressions/${id}`, { method: "DELETE", params: { id }, body: { reason: "done" }, headers })).status).toBe(200);
  });

  for (const [broken, parameter, reason] of [
    ["{not json", "body", /JSON/],
    [{ ...body, checkId: "nope" }, "checkId", /check id/],
    [{ ...body, checkId: "scan.forbidden", cluster: "aks-one" }, "checkId", /cannot be suppressed/],
    [{ ...body, checkId: "scan.cluster-unreachable" }, "checkId", /scan\.\*/],
    [{ ...body, reason: "" }, "reason", /why/],
    [{ ...body, reason: "x".repeat(1001) }, "reason", /1000/],
    [{ ...body, expiresAt: undefined }, "expiresAt", /required/],
    [{ ...body, expiresAt: "2020-01-01T00:00:00Z" }, "expiresAt", /future/],
    [{ ...body, expiresAt: "9999-12-31T00:00:00Z" }, "expiresAt", /90 days/],
    [{ ...body, expiresAt: inDays(91) }, "expiresAt", /SUPPRESSION_MAX_DAYS/],
    [{ ...body, namespace: undefined }, "pattern", /fleetWide/],
    [{ ...body, namespace: "*" }, "namespace", /names nothing/],
    [{ ...body, namespace: undefined, subscription: "11111111-1111-1111-1111-111111111111" }, "pattern", /at least a cluster/],
    [{ ...body, fleetWide: true }, "fleetWide", /cannot be combined/],
    [{ ...body, namespace: 42 }, "namespace", /string/],
    [{ ...body, colour: "red" }, "colour", /not a known field/],
    [[body], "body", /object/],
  ] as const) {
    it(`answers 400 naming ${parameter} for a body ${JSON.stringify(broken).slice(0, 70)}`, async () => {
      signIn("alice@example.com", ...WRITER, APP_ROLES.suppressFleetWide);
      const r = await call(createSuppression, "suppressions", { method: "POST", body: broken });
      expect(r.status).toBe(400);
      expect(r.json["error"]).toMatchObject({ parameter, message: expect.stringMatching(reason) });
      expect(r.errors).toEqual([]);
    });
  }

  it("answers 400 to a lift without a reason", async () => {
    signIn("alice@example.com", ...WRITER);
    const created = await call(createSuppression, "suppressions", { method: "POST", body: { ...body, name: "runner" } });
    const id = created.json["id"] as string;
    const r = await call(deleteSuppression, `suppressions/${id}`, { method: "DELETE", params: { id } });
    expect(r.status).toBe(400);
    expect(r.json["error"]).toMatchObject({ parameter: "reason" });
    expect((await lift(id)).status).toBe(200);
  });
});
