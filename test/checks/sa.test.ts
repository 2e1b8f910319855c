import { describe, expect, it } from "vitest";
import {
  APP_CLIENT_ID,
  CLIENT_ID,
  ISSUER,
  NS,
  SA,
  SUBJECT,
  TENANT,
  app,
  credential,
  first,
  fires,
  healthyFleet,
  identity,
  only,
  pod,
  quiet,
  serviceAccount,
  workload,
} from "./builders.js";

const CLIENT_ID_KEY = "azure.workload.identity/client-id";

/** A labelled pod the webhook mutated while its service account had no client id: everything but AZURE_CLIENT_ID. */
function unannotatedPod() {
  const p = pod();
  delete p.containers[0]!.env.AZURE_CLIENT_ID;
  return p;
}

describe("sa.client-id-on-wrong-object", () => {
  it("reports a client id on a Service and names the annotation to move", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.services = [{ namespace: NS, name: "orders-svc", annotations: { [CLIENT_ID_KEY]: "0d0d0d0d-1e1e-4f2f-8a3a-4b4b4b4b4b4b" } }];
    const f = only(fires("sa.client-id-on-wrong-object", fleet));
    expect(f.resource).toMatchObject({ kind: "Service", namespace: NS, name: "orders-svc" });
    expect(f.remediation.command).toBe(
      `kubectl --context aks-prod annotate serviceaccount --namespace orders "\${SERVICE_ACCOUNT:?set SERVICE_ACCOUNT to the service account the Service's pods run as}" 'azure.workload.identity/client-id=0d0d0d0d-1e1e-4f2f-8a3a-4b4b4b4b4b4b' --overwrite`,
    );
  });

  it("reports a Deployment carrying the client id while its service account does not, once for all its pods", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.serviceAccounts = [serviceAccount(NS, SA)];
    const deployment = s.workloads[0]!;
    deployment.annotations = { [CLIENT_ID_KEY]: CLIENT_ID };
    s.pods = [pod(), pod({ name: "orders-api-7d9f8b6c5-b7m2z" })];
    const f = only(fires("sa.client-id-on-wrong-object", fleet));
    expect(f.resource).toMatchObject({ kind: "Deployment", name: "orders-api" });
    expect(f.remediation.command).toBe(
      `kubectl --context aks-prod annotate serviceaccount --namespace orders orders-sa 'azure.workload.identity/client-id=${CLIENT_ID}' --overwrite\n` +
        "kubectl --context aks-prod rollout restart deployment/orders-api --namespace orders",
    );
    // One problem, one finding: not also sa.client-id-missing.
    quiet("sa.client-id-missing", fleet);
  });

  it("names the service account and restarts the workload behind a Service's selector", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.serviceAccounts = [serviceAccount(NS, SA)];
    s.pods = [unannotatedPod()];
    s.services = [{ namespace: NS, name: "orders-svc", annotations: { [CLIENT_ID_KEY]: CLIENT_ID }, selector: { app: "orders-api" } }];
    const f = only(fires("sa.client-id-on-wrong-object", fleet));
    expect(f.resource).toMatchObject({ kind: "Service", name: "orders-svc" });
    expect(f.evidence.serviceAccount).toBe(SA);
    expect(f.remediation.command).toBe(
      `kubectl --context aks-prod annotate serviceaccount --namespace orders orders-sa 'azure.workload.identity/client-id=${CLIENT_ID}' --overwrite\n` +
        "kubectl --context aks-prod rollout restart deployment/orders-api --namespace orders",
    );
  });

  it("stays quiet when the service account carries the client id too", () => {
    const fleet = healthyFleet();
    first(fleet).workloads[0]!.annotations = { [CLIENT_ID_KEY]: CLIENT_ID };
    first(fleet).services = [{ namespace: NS, name: "orders-svc", annotations: { [CLIENT_ID_KEY]: CLIENT_ID } }];
    quiet("sa.client-id-on-wrong-object", fleet);
  });
});

describe("sa.client-id-missing", () => {
  it("reports the service account of labelled pods and fills in the identity that already trusts it", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.serviceAccounts = [serviceAccount(NS, SA)];
    // What the webhook does without the annotation: everything but AZURE_CLIENT_ID.
    const unannotated = pod();
    delete unannotated.containers[0]!.env.AZURE_CLIENT_ID;
    s.pods = [unannotated];
    const f = only(fires("sa.client-id-missing", fleet));
    expect(f.severity).toBe("high");
    expect(f.resource).toMatchObject({ kind: "ServiceAccount", namespace: NS, name: SA, identityClientId: CLIENT_ID });
    expect(f.remediation.command).toBe(
      `kubectl --context aks-prod annotate serviceaccount --namespace orders orders-sa 'azure.workload.identity/client-id=${CLIENT_ID}' --overwrite\n` +
        "kubectl --context aks-prod rollout restart deployment/orders-api --namespace orders",
    );
    // A missing AZURE_CLIENT_ID alone is not an unmutated pod.
    quiet("pod.not-mutated", fleet);
  });

  it("asks for the client id when no identity trusts the service account yet", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [] })];
    first(fleet).serviceAccounts = [serviceAccount(NS, SA)];
    expect(only(fires("sa.client-id-missing", fleet)).remediation.command).toContain('"${CLIENT_ID:?set CLIENT_ID');
  });

  it("reports a labelled CronJob template before any of its pods exist", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.pods = [];
    s.workloads = [workload("CronJob", "nightly-report", {}, { serviceAccountName: "reporter" })];
    expect(only(fires("sa.client-id-missing", fleet)).resource).toMatchObject({ name: "reporter" });
  });

  it("stays quiet about pods behind a Service that carries the client id (sa.client-id-on-wrong-object says it)", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.serviceAccounts = [serviceAccount(NS, SA)];
    s.pods = [unannotatedPod()];
    s.services = [{ namespace: NS, name: "orders-svc", annotations: { [CLIENT_ID_KEY]: CLIENT_ID }, selector: { app: "orders-api" } }];
    quiet("sa.client-id-missing", fleet);
    fires("sa.client-id-on-wrong-object", fleet);
  });

  it("still reports pods that a Service carrying a client id does not select", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.serviceAccounts = [serviceAccount(NS, SA)];
    s.pods = [unannotatedPod()];
    // Another workload's Service, and one without a selector: neither fronts orders-api.
    s.services = [
      { namespace: NS, name: "billing-svc", annotations: { [CLIENT_ID_KEY]: CLIENT_ID }, selector: { app: "billing" } },
      { namespace: NS, name: "external", annotations: { [CLIENT_ID_KEY]: CLIENT_ID } },
    ];
    expect(only(fires("sa.client-id-missing", fleet)).resource).toMatchObject({ kind: "ServiceAccount", name: SA });
  });

  it("stays quiet for pods in kube-system (pod.excluded-namespace says it)", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.pods = [pod({ namespace: "kube-system", serviceAccountName: "default", owner: undefined })];
    s.workloads = [];
    quiet("sa.client-id-missing", fleet);
  });

  it("stays quiet when the service account has the annotation", () => {
    quiet("sa.client-id-missing", healthyFleet());
  });
});

describe("sa.client-id-malformed", () => {
  it("reports a client id that is not a GUID and offers the GUID inside it", () => {
    const fleet = healthyFleet();
    first(fleet).serviceAccounts = [serviceAccount(NS, SA, { [CLIENT_ID_KEY]: `{${CLIENT_ID}}` })];
    const f = only(fires("sa.client-id-malformed", fleet));
    expect(f.evidence).toMatchObject({ found: `{${CLIENT_ID}}` });
    expect(f.remediation.command).toContain(`'azure.workload.identity/client-id=${CLIENT_ID}'`);
  });

  it("stays quiet for an upper-case GUID", () => {
    const fleet = healthyFleet();
    first(fleet).serviceAccounts = [serviceAccount(NS, SA, { [CLIENT_ID_KEY]: CLIENT_ID.toUpperCase() })];
    quiet("sa.client-id-malformed", fleet);
    quiet("sa.client-id-unknown", fleet);
  });
});

describe("sa.client-id-unknown", () => {
  const UNKNOWN = "deadbeef-0000-4000-8000-000000000000";

  it("reports a client id no identity or app registration has, and not also sa.no-matching-fic", () => {
    const fleet = healthyFleet();
    first(fleet).serviceAccounts = [serviceAccount(NS, SA, { [CLIENT_ID_KEY]: UNKNOWN })];
    const f = only(fires("sa.client-id-unknown", fleet));
    expect(f.severity).toBe("high");
    expect(f.resource.identityClientId).toBe(UNKNOWN);
    quiet("sa.no-matching-fic", fleet);
  });

  it("reports medium when the scan could not see every subscription", () => {
    const fleet = healthyFleet();
    fleet.inventory.complete = false;
    first(fleet).serviceAccounts = [serviceAccount(NS, SA, { [CLIENT_ID_KEY]: UNKNOWN })];
    expect(only(fires("sa.client-id-unknown", fleet)).severity).toBe("medium");
  });

  it("stays quiet when the client id is an app registration's rather than a managed identity's", () => {
    const fleet = healthyFleet();
    fleet.inventory.applications = [app({ federatedCredentials: [credential()] })];
    first(fleet).serviceAccounts = [serviceAccount(NS, SA, { [CLIENT_ID_KEY]: APP_CLIENT_ID })];
    quiet("sa.client-id-unknown", fleet);
    quiet("sa.no-matching-fic", fleet);
  });

  it("stays quiet when the service account names another tenant", () => {
    const fleet = healthyFleet();
    first(fleet).serviceAccounts = [
      serviceAccount(NS, SA, { [CLIENT_ID_KEY]: UNKNOWN, "azure.workload.identity/tenant-id": "ffffffff-0000-4000-8000-000000000000" }),
    ];
    quiet("sa.client-id-unknown", fleet);
  });
});

describe("sa.tenant-id-mismatch", () => {
  it("reports a tenant annotation that differs from the identity's tenant", () => {
    const fleet = healthyFleet();
    const other = "ffffffff-0000-4000-8000-000000000000";
    first(fleet).serviceAccounts = [serviceAccount(NS, SA, { [CLIENT_ID_KEY]: CLIENT_ID, "azure.workload.identity/tenant-id": other })];
    const f = only(fires("sa.tenant-id-mismatch", fleet));
    expect(f.evidence).toMatchObject({ annotatedTenantId: other, identityTenantId: TENANT });
    expect(f.remediation.command).toContain(`'azure.workload.identity/tenant-id=${TENANT}'`);
  });

  it("stays quiet when the tenant matches in another case", () => {
    const fleet = healthyFleet();
    first(fleet).serviceAccounts = [serviceAccount(NS, SA, { [CLIENT_ID_KEY]: CLIENT_ID, "azure.workload.identity/tenant-id": TENANT.toUpperCase() })];
    quiet("sa.tenant-id-mismatch", fleet);
  });
});

describe("sa.no-matching-fic", () => {
  it("reports a missing credential with the exact create command", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [] })];
    const f = only(fires("sa.no-matching-fic", fleet));
    expect(f.evidence).toMatchObject({ expectedIssuer: ISSUER, expectedSubject: SUBJECT });
    expect(f.remediation.command).toBe(
      "az identity federated-credential create --name aks-prod-orders-orders-sa --identity-name id-orders --resource-group rg-identities " +
        `--subscription 0b1f6471-1bf0-4dda-aec3-cb9272f09590 --issuer ${ISSUER} --subject ${SUBJECT} --audiences api://AzureADTokenExchange`,
    );
  });

  it("says when a credential differs only by the subject's case", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [credential({ subject: "system:serviceaccount:Orders:orders-sa" })] })];
    const f = only(fires("sa.no-matching-fic", fleet));
    expect(f.evidence.differs).toBe("subject differs by case");
  });

  it("creates a credential on an app registration with az ad app", () => {
    const fleet = healthyFleet();
    fleet.inventory.applications = [app()];
    first(fleet).serviceAccounts = [serviceAccount(NS, SA, { [CLIENT_ID_KEY]: APP_CLIENT_ID })];
    const f = only(fires("sa.no-matching-fic", fleet));
    expect(f.resource.identityId).toBe(`app:${APP_CLIENT_ID}`);
    expect(f.remediation.command).toBe(
      `az ad app federated-credential create --id ${APP_CLIENT_ID} --parameters ` +
        `'{"name":"aks-prod-orders-orders-sa","issuer":"${ISSUER}","subject":"${SUBJECT}","audiences":["api://AzureADTokenExchange"]}'`,
    );
  });

  it("stays quiet when the identity's credentials could not be listed", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [], federatedCredentialsKnown: false })];
    quiet("sa.no-matching-fic", fleet);
  });

  it("stays quiet when the exact credential exists", () => {
    quiet("sa.no-matching-fic", healthyFleet());
  });
});
