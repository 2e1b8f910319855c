import { describe, expect, it } from "vitest";
import { apiPath } from "../../shared/cluster/kube-http.js";

describe("apiPath", () => {
  it("spells the v1 URL of core and group resources, cluster-wide and namespaced", () => {
    expect(apiPath({ resource: "pods", group: "" })).toBe("/api/v1/pods");
    expect(apiPath({ resource: "deployments", group: "apps", namespace: "kube-system" }, "azure-wi-webhook-controller-manager")).toBe(
      "/apis/apps/v1/namespaces/kube-system/deployments/azure-wi-webhook-controller-manager",
    );
    expect(apiPath({ resource: "mutatingwebhookconfigurations", group: "admissionregistration.k8s.io" })).toBe("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations");
  });

  it("puts the object's name between a resource and its subresource, and escapes every segment", () => {
    expect(apiPath({ resource: "pods/log", group: "", namespace: "shop" }, "orders-1", "log")).toBe("/api/v1/namespaces/shop/pods/orders-1/log");
    expect(apiPath({ resource: "serviceaccounts/token", group: "", namespace: "a/b" }, "x?y#z", "token")).toBe("/api/v1/namespaces/a%2Fb/serviceaccounts/x%3Fy%23z/token");
  });
});
