/**
 * A hostile fleet: a generated fleet whose free-text values are attacks.
 * Realistic where the real APIs would refuse a value (Kubernetes object names
 * are DNS-1123 labels, label values 63 characters of [A-Za-z0-9._-], Azure
 * resource names their documented character sets) and hostile where they
 * would not: annotations (up to 256 kB in all), Azure display names and tags,
 * federated credential subjects, resource group names (parentheses and dots
 * are allowed), container log lines. Values carry HTML, script, quotes,
 * newlines, shell metacharacters, 64 kB strings and unusual unicode; one
 * cluster has thousands of namespaces.
 *
 * With a canary, a secret-looking string is planted where a careless scanner
 * would pick it up: a service-account token Secret, a pod's
 * last-applied-configuration annotation and environment, and log lines.
 *
 * @example
 * const { fleet, shellCanaryPath } = generateHostileFleet({ canaryDir: "/tmp/x", canary: "CANARY-123" });
 */
import type { ArmObject, FleetDescription, KubeObject } from "../fleet/model.js";
import { generateFleetWithAnswers } from "./index.js";
import * as k from "./kube.js";

export interface HostileFleetOptions {
  /** Namespaces added to the first cluster (default 2,000). */
  namespaces?: number;
  /** Secret-looking string planted in the fleet (service-account token Secret, annotations, env, logs). */
  canary?: string;
  /**
   * Directory the shell payloads try to create a file in: when anything runs
   * them, `<canaryDir>/pwned` appears. Default /tmp/wiscan-hostile.
   */
  canaryDir?: string;
  seed?: number;
}

export interface HostileFleet {
  fleet: FleetDescription;
  /** The file a payload creates if a shell ever executes it. */
  shellCanaryPath: string;
  /** The hostile values planted, for tests to look for. */
  payloads: readonly string[];
  /** The cluster that holds the extra namespaces. */
  crowdedCluster: string;
}

const KB64 = 64 * 1024;

/** Hostile free text, each aimed at one way a value can escape its context. */
export function hostilePayloads(canaryFile: string): string[] {
  const q = canaryFile.replace(/'/g, "");
  return [
    `<script>alert("wiscan")</script>`,
    `"><img src=x onerror=alert(1)>`,
    `' onmouseover='alert(1)`,
    `{{constructor.constructor('alert(1)')()}}`,
    `$(touch ${q})`,
    `\`touch ${q}\``,
    `'; touch ${q}; echo '`,
    `"; touch ${q}; echo "`,
    `a\ntouch ${q}\n`,
    `x && touch ${q} || true | cat > /dev/null &`,
    `\${IFS}touch\${IFS}${q}`,
    `-rf --help --kubeconfig=/etc/passwd`,
    `=cmd|' /C calc'!A0`,
    `\u202Egnp.exe\u202C \u200B\uFEFF Ω≈ç√ 𝕳𝖔𝖘𝖙𝖎𝖑𝖊 \uD83D\uDE00 é`,
    `\u0000\u0007\u001b[31mred\u001b[0m`,
    `%s%n%x ../../../../etc/passwd`,
  ];
}

export function generateHostileFleet(options: HostileFleetOptions = {}): HostileFleet {
  const canaryDir = (options.canaryDir ?? "/tmp/wiscan-hostile").replace(/\/+$/, "");
  const shellCanaryPath = `${canaryDir}/pwned`;
  const payloads = hostilePayloads(shellCanaryPath);
  const pick = (i: number) => payloads[i % payloads.length]!;
  const big = (i: number) => (pick(i) + " ").repeat(Math.ceil(KB64 / (pick(i).length + 1))).slice(0, KB64);

  const { fleet } = generateFleetWithAnswers({
    clusters: 3,
    subscriptions: 1,
    serviceAccountsPerCluster: 12,
    podsPerCluster: 40,
    workloadIdentityPodsPerCluster: 8,
    misconfigurationRate: 1,
    seed: options.seed ?? 13,
  });

  hostileAzure(fleet, pick);
  // One cluster with local accounts: its cluster-user credential is a static token (the kubeconfig credential).
  const local = fleet.azure.managedClusters[fleet.azure.managedClusters.length - 1];
  if (local?.properties) {
    delete local.properties["aadProfile"];
    local.properties["disableLocalAccounts"] = false;
  }

  let n = 0;
  for (const [name, objects] of fleet.clusters) {
    for (const object of objects) {
      const annotations = (object.metadata.annotations ??= {});
      if (object.kind === "ServiceAccount" && object.metadata.namespace !== "kube-system") {
        annotations["description"] = pick(n);
        // Free text where a GUID belongs: the checks must report it, and quote it wherever it is repeated.
        if (n % 3 === 0) annotations["azure.workload.identity/client-id"] = pick(n);
        if (n % 5 === 0) annotations["azure.workload.identity/tenant-id"] = pick(n + 1);
        n += 1;
      } else if (object.kind === "Pod" && n % 4 === 0) {
        annotations["wiscan.test/notes"] = big(n);
        annotations["azure.workload.identity/service-account-token-expiration"] = pick(n + 2);
        n += 1;
      } else if (object.kind === "Namespace") {
        annotations["owner"] = pick(n++);
      } else if (object.kind === "Service" || object.kind === "Deployment") {
        annotations["azure.workload.identity/client-id"] = pick(n++);
      }
    }
    for (const key of logKeys(objects, name)) {
      (fleet.logs[key] ??= []).push(...payloads.slice(0, 4).map((p) => `2026-11-29T08:00:00.000000000Z ${p} AADSTS700213: No matching federated identity record found`));
    }
  }

  const crowdedCluster = [...fleet.clusters.keys()][0]!;
  const crowded = fleet.clusters.get(crowdedCluster)!;
  const namespaces = options.namespaces ?? 2_000;
  for (let i = 0; i < namespaces; i++) {
    // DNS-1123: what the API server accepts as a name; hostility lives in the annotations.
    const ns = i === 0 ? `n${"x".repeat(62)}` : `tenant-${String(i).padStart(5, "0")}`;
    crowded.push(k.namespace(ns, { uid: uid(`ns-${i}`), created: "2026-01-01T00:00:00Z", annotations: { owner: pick(i), note: i % 500 === 0 ? big(i) : pick(i + 3) } }));
    if (i % 250 === 0) {
      crowded.push(
        k.serviceAccount(ns, "app", {
          uid: uid(`sa-${i}`),
          created: "2026-01-01T00:00:00Z",
          annotations: { "azure.workload.identity/client-id": pick(i), description: pick(i + 1) },
        }),
      );
    }
  }

  if (options.canary !== undefined) plantCanary(fleet, crowdedCluster, options.canary);
  return { fleet: { ...fleet, source: "generated (hostile)" }, shellCanaryPath, payloads, crowdedCluster };
}

/** Display names, tags, a resource group with parentheses and dots, and a malformed credential subject. */
function hostileAzure(fleet: FleetDescription, pick: (i: number) => string): void {
  const azure = fleet.azure;
  azure.subscriptions.forEach((s, i) => (s.displayName = `${pick(i)} (prod)`));
  azure.applications.forEach((a, i) => (a.displayName = pick(i + 1)));
  azure.servicePrincipals.forEach((p, i) => (p.displayName = pick(i + 1)));
  azure.managedClusters.forEach((c, i) => (c.tags = { owner: pick(i), costCenter: pick(i + 5) }));
  azure.userAssignedIdentities.forEach((u, i) => (u.tags = { purpose: pick(i + 2) }));

  // Resource group names may hold parentheses, dots and unicode letters: rename the first cluster's group everywhere.
  const first = azure.managedClusters[0];
  const group = first !== undefined ? /\/resource[gG]roups\/([^/]+)\//.exec(first.id)?.[1] : undefined;
  if (group !== undefined) {
    const renamed = `${group}-(prod).ünï`;
    const text = JSON.stringify(azure).split(`/${group}/`).join(`/${renamed}/`).split(`"${group}"`).join(`"${renamed}"`);
    fleet.azure = JSON.parse(text) as typeof azure;
  }

  // A federated credential subject is free text to ARM: a malformed one carries a payload.
  const [identityId, credentials] = Object.entries(fleet.azure.federatedIdentityCredentials)[0] ?? [];
  const credential = credentials?.[0];
  if (identityId !== undefined && credentials !== undefined && credential !== undefined) {
    const properties = credential.properties as { issuer: string; subject: string; audiences: string[] };
    credentials.push({
      ...credential,
      id: `${credential.id}-hostile`,
      name: `${credential.name}-hostile`,
      properties: { ...properties, subject: `system:serviceaccount:${pick(4)}:${pick(6)}` },
    } as ArmObject);
  }
}

/** A service-account token Secret, a last-applied-configuration and an env value holding the canary, and log lines. */
function plantCanary(fleet: FleetDescription, clusterName: string, canary: string): void {
  const objects = fleet.clusters.get(clusterName)!;
  const account = objects.find((o) => o.kind === "ServiceAccount" && o.metadata.namespace !== "kube-system")!;
  const namespace = account.metadata.namespace!;
  const secret: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/service-account-token",
    metadata: {
      name: `${account.metadata.name}-token`,
      namespace,
      uid: uid("canary-secret"),
      creationTimestamp: "2026-01-01T00:00:00Z",
      resourceVersion: "1",
      annotations: { "kubernetes.io/service-account.name": account.metadata.name, "kubernetes.io/service-account.uid": String(account.metadata.uid ?? "") },
    },
    data: { token: Buffer.from(canary).toString("base64"), namespace: Buffer.from(namespace).toString("base64") },
  };
  objects.push(secret);

  for (const pod of objects.filter((o) => o.kind === "Pod").slice(0, 5)) {
    const annotations = (pod.metadata.annotations ??= {});
    annotations["kubectl.kubernetes.io/last-applied-configuration"] = JSON.stringify({ apiVersion: "v1", kind: "Pod", spec: { containers: [{ name: "app", env: [{ name: "API_TOKEN", value: canary }] }] } });
    const containers = ((pod.spec as { containers?: Array<{ env?: Array<{ name: string; value?: string }> }> } | undefined)?.containers ?? []);
    for (const container of containers) (container.env ??= []).push({ name: "API_TOKEN", value: canary });
  }

  for (const key of logKeys(objects, clusterName)) {
    (fleet.logs[key] ??= []).push(
      `2026-11-29T08:00:01.000000000Z POST https://login.microsoftonline.com/token Authorization: Bearer ${canary} AADSTS700213: No matching federated identity record found`,
      `2026-11-29T08:00:02.000000000Z client_assertion=${canary} AADSTS70021: No matching federated identity record found for presented assertion.`,
    );
  }
}

/** Log keys ("<cluster>/<namespace>/<pod>/<container>") of a few workload-identity pods: the ones whose logs a scan reads. */
function logKeys(objects: readonly KubeObject[], cluster: string): string[] {
  return objects
    .filter((o) => o.kind === "Pod" && o.metadata.labels?.["azure.workload.identity/use"] === "true")
    .slice(0, 3)
    .flatMap((pod) => {
      const containers = (pod.spec as { containers?: Array<{ name: string }> } | undefined)?.containers ?? [];
      return containers.map((c) => `${cluster}/${pod.metadata.namespace}/${pod.metadata.name}/${c.name}`);
    });
}

function uid(key: string): string {
  let h = 2166136261;
  for (const c of key) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const hex = (h.toString(16).padStart(8, "0") + "0".repeat(24)).slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
