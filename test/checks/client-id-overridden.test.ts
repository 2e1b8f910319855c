/**
 * A hand-set AZURE_CLIENT_ID: the webhook never overwrites a variable a
 * container already sets (azure-workload-identity pkg/webhook/webhook.go
 * addEnvironmentVariables), so pods and pod templates that set one use that
 * identity. Templates are judged like pods.
 */
import { describe, expect, it } from "vitest";
import type { ContainerSummary } from "../../shared/cluster/model.js";
import { CLIENT_ID, NS, SA, credential, first, fires, healthyFleet, identity, inventory, mutatedContainers, only, pod, quiet, serviceAccount, workload } from "./builders.js";

const OTHER_CLIENT_ID = "0f0f0f0f-1e1e-4d2d-8c3c-4b4b4b4b4b4b";
const handSet = (clientId: string): ContainerSummary[] => [{ name: "app", init: false, env: { AZURE_CLIENT_ID: clientId }, mountPaths: [] }];

describe("sa.client-id-missing judges templates like pods", () => {
  it("is satisfied by AZURE_CLIENT_ID set by hand in a pod template, as in a running pod", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.serviceAccounts = [serviceAccount(NS, SA)];
    s.pods = [];
    s.workloads = [workload("CronJob", "nightly", {}, { containers: handSet(CLIENT_ID) })];
    quiet("sa.client-id-missing", fleet);
    s.workloads = [workload("CronJob", "nightly")];
    fires("sa.client-id-missing", fleet);
  });
});

describe("pod.client-id-overridden", () => {
  it("reports a template whose hand-set identity does not trust the service account (AADSTS70021), high", () => {
    const fleet = healthyFleet();
    fleet.inventory = inventory({ identities: [identity(), identity({ name: "id-other", clientId: OTHER_CLIENT_ID, federatedCredentials: [credential({ subject: "system:serviceaccount:billing:invoices" })] })] });
    const s = first(fleet);
    s.pods = [];
    s.workloads = [workload("Deployment", "orders-api", {}, { containers: handSet(OTHER_CLIENT_ID) })];
    const f = only(fires("pod.client-id-overridden", fleet));
    expect(f.severity).toBe("high");
    expect(f.resource).toMatchObject({ kind: "Deployment", name: "orders-api", identityClientId: OTHER_CLIENT_ID });
    expect(f.evidence).toMatchObject({ handSetClientId: OTHER_CLIENT_ID, annotatedClientId: CLIENT_ID, predicts: "AADSTS70021", trustedByHandSetIdentity: false });
  });

  it("reports a running pod whose hand-set client id names no identity of the tenant (AADSTS700016)", () => {
    const fleet = healthyFleet();
    first(fleet).pods = [pod({ owner: undefined, name: "debug", containers: mutatedContainers(OTHER_CLIENT_ID) })];
    first(fleet).workloads = [];
    const f = only(fires("pod.client-id-overridden", fleet));
    expect(f.evidence.predicts).toBe("AADSTS700016");
  });

  it("reports, medium, a hand-set identity that differs from the annotation but trusts the service account", () => {
    const fleet = healthyFleet();
    fleet.inventory = inventory({ identities: [identity(), identity({ name: "id-other", clientId: OTHER_CLIENT_ID })] });
    first(fleet).workloads[0]!.template.containers = handSet(OTHER_CLIENT_ID);
    expect(only(fires("pod.client-id-overridden", fleet)).severity).toBe("medium");
  });

  it("stays quiet for the webhook's own injection and for a hand-set value equal to the annotation in a pod", () => {
    quiet("pod.client-id-overridden", healthyFleet());
    const fleet = healthyFleet();
    first(fleet).workloads[0]!.template.containers = handSet(CLIENT_ID);
    quiet("pod.client-id-overridden", fleet);
  });

  it("stays quiet for a value from a secret or config map (valueFrom: unknown)", () => {
    const fleet = healthyFleet();
    first(fleet).workloads[0]!.template.containers = handSet("");
    quiet("pod.client-id-overridden", fleet);
  });
});
