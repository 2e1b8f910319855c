import { describe, expect, it } from "vitest";
import { AUDIENCE, CLIENT_ID, NS, SA, addonWebhook, first, fires, healthyFleet, only, pod, quiet, serviceAccount, workload } from "./builders.js";

const USE = "azure.workload.identity/use";

/** A pod as webhook v1.5.x and earlier left it: volume azure-identity-token at /var/run/secrets/azure/tokens. */
function legacyMutatedPod() {
  return pod({
    projectedTokenVolumes: [{ volumeName: "azure-identity-token", audience: AUDIENCE, expirationSeconds: 3600, path: "azure-identity-token" }],
    containers: pod().containers.map((c) => ({
      ...c,
      env: { ...c.env, AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token" },
      mountPaths: ["/var/run/secrets/azure/tokens"],
    })),
  });
}

/** A labelled pod created before the webhook ran: nothing injected. */
function unmutatedPod(name = "orders-api-7d9f8b6c5-x2k4q") {
  return pod({
    name,
    creationTimestamp: "2026-01-15T08:00:00Z",
    containers: [{ name: "app", init: false, env: {}, mountPaths: [] }],
    projectedTokenVolumes: [{ volumeName: "kube-api-access-5x7q2", path: "token" }],
  });
}

describe("pod.label-missing", () => {
  it("reports a Deployment whose pods run as an annotated service account without the label, and patches its template", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.workloads[0]!.template.labels = { app: "orders-api" };
    s.workloads[1]!.template.labels = { app: "orders-api" };
    s.pods = [pod({ labels: { app: "orders-api" } }), pod({ name: "orders-api-7d9f8b6c5-b7m2z", labels: { app: "orders-api" } })];
    const f = only(fires("pod.label-missing", fleet));
    expect(f.resource).toMatchObject({ kind: "Deployment", name: "orders-api", namespace: NS });
    expect(f.evidence).toMatchObject({ pods: 2, clientId: CLIENT_ID });
    expect(f.remediation.command).toBe(
      `kubectl --context aks-prod patch deployment orders-api --namespace orders --type merge --patch '{"spec":{"template":{"metadata":{"labels":{"azure.workload.identity/use":"true"}}}}}'`,
    );
  });

  it("counts the label on the pod, not on the service account", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.serviceAccounts = [serviceAccount(NS, SA, { "azure.workload.identity/client-id": CLIENT_ID }, { [USE]: "true" })];
    s.workloads = [];
    s.pods = [pod({ labels: { app: "job" }, owner: undefined, name: "one-off" })];
    const f = only(fires("pod.label-missing", fleet));
    expect(f.resource).toMatchObject({ kind: "Pod", name: "one-off" });
    expect(f.evidence.serviceAccountLabelled).toBe(true);
    expect(f.remediation.command).toBeUndefined();
  });

  it("reports a label with the wrong case as missing", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.workloads = [];
    s.pods = [pod({ labels: { [USE]: "True" }, owner: undefined })];
    expect(only(fires("pod.label-missing", fleet)).evidence.foundLabelValue).toBe("True");
  });

  it("stays quiet when the label is on the Deployment itself (workload.label-on-wrong-object says it)", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.workloads[0]!.labels = { [USE]: "true" };
    s.workloads[0]!.template.labels = {};
    s.workloads[1]!.template.labels = {};
    s.pods = [pod({ labels: {} })];
    quiet("pod.label-missing", fleet);
    fires("workload.label-on-wrong-object", fleet);
  });

  it("stays quiet when pods are labelled", () => {
    quiet("pod.label-missing", healthyFleet());
  });
});

describe("workload.label-on-wrong-object", () => {
  it("reports a CronJob labelled on its metadata and patches its job template", () => {
    const fleet = healthyFleet();
    first(fleet).workloads = [workload("CronJob", "nightly", { labels: { [USE]: "true" } }, { labels: { app: "nightly" } })];
    const f = only(fires("workload.label-on-wrong-object", fleet));
    expect(f.title).toBe("Use label is on the CronJob, not on its pod template");
    expect(f.remediation.command).toContain(`'{"spec":{"jobTemplate":{"spec":{"template":{"metadata":{"labels":{"azure.workload.identity/use":"true"}}}}}}}'`);
  });

  it("stays quiet when the template carries the label as well", () => {
    const fleet = healthyFleet();
    first(fleet).workloads[0]!.labels = { [USE]: "true" };
    quiet("workload.label-on-wrong-object", fleet);
  });
});

describe("pod.not-mutated", () => {
  it("recognises both projected volume layouts by audience, before and from webhook v1.6.0", () => {
    const fleet = healthyFleet();
    first(fleet).pods = [pod(), legacyMutatedPod()];
    quiet("pod.not-mutated", fleet);
  });

  it("reports pods created before the webhook even though it runs now, and restarts their Deployment", () => {
    const fleet = healthyFleet();
    first(fleet).pods = [unmutatedPod(), unmutatedPod("orders-api-7d9f8b6c5-b7m2z")];
    const f = only(fires("pod.not-mutated", fleet));
    expect(f.resource).toMatchObject({ kind: "Deployment", name: "orders-api" });
    expect(f.evidence).toMatchObject({ pods: 2, webhookReadyNow: true, tokenVolume: false, oldestPodCreated: "2026-01-15T08:00:00Z" });
    expect(f.remediation.command).toBe("kubectl --context aks-prod rollout restart deployment/orders-api --namespace orders");
  });

  it("reports a pod whose token volume has another audience", () => {
    const fleet = healthyFleet();
    first(fleet).pods = [pod({ projectedTokenVolumes: [{ volumeName: "azure-identity-token", audience: "api://other", path: "t" }] })];
    fires("pod.not-mutated", fleet);
  });

  it("takes the token of a sovereign-cloud cluster's webhook for either token-exchange audience of that cloud", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.cluster = { ...s.cluster, oidcIssuerUrl: (s.cluster.oidcIssuerUrl ?? "").replace("eastus.oic.prod-aks.azure.com", "usgovvirginia.oic.prod-aks.azure.us") };
    const projecting = (audience: string) => pod({ name: `orders-api-${audience.length}`, projectedTokenVolumes: [{ volumeName: "azure-workload-identity-reserved-6f1c2", audience, path: "azure-identity-token" }] });
    s.pods = [projecting("api://AzureADTokenExchangeUSGov"), projecting(AUDIENCE)];
    quiet("pod.not-mutated", fleet);
    s.pods = [projecting("api://AzureADTokenExchangeChina")];
    fires("pod.not-mutated", fleet);
  });

  it("stays quiet while the webhook is down: the cluster finding covers it", () => {
    const fleet = healthyFleet();
    first(fleet).pods = [unmutatedPod()];
    first(fleet).webhookDeployments = [addonWebhook({ readyReplicas: 0 })];
    quiet("pod.not-mutated", fleet);
    fires("cluster.webhook-not-running", fleet);
  });

  it("reports a pod in kube-system as excluded, not as unmutated", () => {
    const fleet = healthyFleet();
    first(fleet).pods = [{ ...unmutatedPod(), namespace: "kube-system", owner: undefined }];
    quiet("pod.not-mutated", fleet);
    expect(only(fires("pod.excluded-namespace", fleet)).resource).toMatchObject({ namespace: "kube-system", kind: "Pod" });
  });
});

describe("pod.token-expiration-invalid", () => {
  const KEY = "azure.workload.identity/service-account-token-expiration";

  it("reports a Deployment template whose expiration is out of range even without pods", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.pods = [];
    s.workloads = [workload("Deployment", "orders-api", {}, { annotations: { [KEY]: "1800" } })];
    const f = only(fires("pod.token-expiration-invalid", fleet));
    expect(f.evidence).toMatchObject({ found: "1800", allowed: "3600..86400" });
    expect(f.remediation.command).toContain(`'{"spec":{"template":{"metadata":{"annotations":{"${KEY}":"3600"}}}}}'`);
  });

  it("reports a service account whose expiration is not an integer", () => {
    const fleet = healthyFleet();
    first(fleet).serviceAccounts = [serviceAccount(NS, SA, { "azure.workload.identity/client-id": CLIENT_ID, [KEY]: "3600s" })];
    expect(only(fires("pod.token-expiration-invalid", fleet)).resource).toMatchObject({ kind: "ServiceAccount", name: SA });
  });

  it("stays quiet at both ends of the range", () => {
    const fleet = healthyFleet();
    first(fleet).serviceAccounts = [serviceAccount(NS, SA, { "azure.workload.identity/client-id": CLIENT_ID, [KEY]: "86400" })];
    first(fleet).workloads[0]!.template.annotations = { [KEY]: "3600" };
    quiet("pod.token-expiration-invalid", fleet);
  });
});

describe("pod.excluded-namespace", () => {
  it("reports a workload in a namespace labelled control-plane", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.namespaces = [{ name: "platform", labels: { "control-plane": "true" } }];
    s.serviceAccounts.push(serviceAccount("platform", "agent", { "azure.workload.identity/client-id": CLIENT_ID }));
    s.workloads.push(workload("DaemonSet", "agent", { namespace: "platform" }, { serviceAccountName: "agent", labels: {} }));
    const f = only(fires("pod.excluded-namespace", fleet));
    expect(f.resource).toMatchObject({ kind: "DaemonSet", namespace: "platform" });
    expect(f.remediation.command).toBe("kubectl --context aks-prod label namespace platform control-plane-");
  });

  it("stays quiet for ordinary namespaces", () => {
    quiet("pod.excluded-namespace", healthyFleet());
  });

  it("judges by the configuration's real namespaceSelector: a namespace labelled kubernetes.azure.com/managedby: aks is skipped, and says so", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.namespaces = [{ name: NS, labels: { "kubernetes.azure.com/managedby": "aks" } }];
    const f = only(fires("pod.excluded-namespace", fleet));
    expect(f.evidence).toMatchObject({ judgedBy: "the cluster's webhook configuration", selector: "!control-plane,kubernetes.azure.com/managedby notin (aks)" });
    expect(f.remediation.command).toBeUndefined();
    quiet("pod.not-mutated", fleet);
  });

  it("serves a control-plane namespace when a Helm install's selector does not exclude it", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.namespaces = [{ name: "platform", labels: { "control-plane": "controller-manager" } }];
    s.serviceAccounts.push(serviceAccount("platform", "agent", { "azure.workload.identity/client-id": CLIENT_ID }));
    s.workloads.push(workload("DaemonSet", "agent", { namespace: "platform" }, { serviceAccountName: "agent" }));
    s.mutatingWebhooks[0]!.webhooks[0]!.namespaceSelector = {};
    quiet("pod.excluded-namespace", fleet);
  });

  it("applies a Helm install's own namespaceSelector (matchLabels) to namespaces without the label", () => {
    const fleet = healthyFleet();
    first(fleet).mutatingWebhooks[0]!.webhooks[0]!.namespaceSelector = { matchLabels: { "workload-identity": "enabled" } };
    const f = only(fires("pod.excluded-namespace", fleet));
    expect(f.evidence.selector).toBe("workload-identity=enabled");
  });

  it("reports labelled pods that the objectSelector leaves out", () => {
    const fleet = healthyFleet();
    first(fleet).mutatingWebhooks[0]!.webhooks[0]!.objectSelector = {
      matchLabels: { [USE]: "true" },
      matchExpressions: [{ key: "team", operator: "In", values: ["platform"] }],
    };
    const f = only(fires("pod.excluded-namespace", fleet));
    expect(String(f.evidence.excludedBecause)).toContain("objectSelector");
  });

  it("falls back to AKS's defaults only when the configuration cannot be read, and says so", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.mutatingWebhooks = [];
    s.errors = [{ kind: "forbidden", resource: "mutatingwebhookconfigurations", verb: "list", group: "admissionregistration.k8s.io", message: "forbidden" }];
    s.namespaces = [{ name: NS, labels: { "control-plane": "controller-manager" } }];
    const f = only(fires("pod.excluded-namespace", fleet));
    expect(f.evidence.judgedBy).toBe("AKS defaults: the webhook configuration could not be read");
    expect(f.remediation.command).toBe("kubectl --context aks-prod label namespace orders control-plane-");
  });
});

describe("pod.proxy-sidecar-host-network", () => {
  it("reports a labelled template asking for the proxy sidecar on the host network, even with the value false", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.workloads = [workload("Deployment", "node-agent", {}, { hostNetwork: true, annotations: { "azure.workload.identity/inject-proxy-sidecar": "false" } })];
    const f = only(fires("pod.proxy-sidecar-host-network", fleet));
    expect(f.remediation.command).toContain(`'{"spec":{"template":{"metadata":{"annotations":{"azure.workload.identity/inject-proxy-sidecar":null}}}}}'`);
  });

  it("stays quiet without hostNetwork", () => {
    const fleet = healthyFleet();
    first(fleet).workloads[0]!.template.annotations = { "azure.workload.identity/inject-proxy-sidecar": "true" };
    quiet("pod.proxy-sidecar-host-network", fleet);
  });
});

describe("pod.aadsts-errors", () => {
  it("reports the codes a workload logged, once per workload, with counts and never the log line", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.pods = [pod(), pod({ name: "orders-api-7d9f8b6c5-b7m2z" })];
    s.logEvidence = [
      { namespace: NS, pod: "orders-api-7d9f8b6c5-x2k4q", container: "app", code: "AADSTS70021", count: 4, lastSeen: "2026-03-02T05:00:00Z" },
      { namespace: NS, pod: "orders-api-7d9f8b6c5-b7m2z", container: "app", code: "AADSTS70021", count: 2, lastSeen: "2026-03-02T05:30:00Z" },
      { namespace: NS, pod: "orders-api-7d9f8b6c5-b7m2z", container: "app", code: "AADSTS700016", count: 1 },
    ];
    const f = only(fires("pod.aadsts-errors", fleet));
    expect(f.resource).toMatchObject({ kind: "Deployment", name: "orders-api", identityClientId: CLIENT_ID });
    expect(f.evidence).toMatchObject({ codes: "AADSTS700016 x1, AADSTS70021 x6", lastSeen: "2026-03-02T05:30:00Z" });
    expect(f.title).toBe("Workload logs show AADSTS700016, AADSTS70021");
  });

  it("stays quiet for codes unrelated to token exchange", () => {
    const fleet = healthyFleet();
    first(fleet).logEvidence = [{ namespace: NS, pod: "orders-api-7d9f8b6c5-x2k4q", container: "app", code: "AADSTS50079", count: 3 }];
    quiet("pod.aadsts-errors", fleet);
  });
});
