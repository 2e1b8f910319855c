import { describe, expect, it } from "vitest";
import { APP_CLIENT_ID, NS, PRINCIPAL_ID, SUBSCRIPTION, app, cluster, first, fires, healthyFleet, only, quiet, roleAssignment, serviceAccount, snapshot } from "./builders.js";

const OWNER = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`;
const CONTRIBUTOR = `/providers/Microsoft.Authorization/roleDefinitions/B24988AC-6180-42A0-AB88-20F7382DD24C`;

describe("identity.no-role-assignments", () => {
  it("reports an identity used by workloads with no role assignment, once however many clusters use it", () => {
    const fleet = healthyFleet();
    fleet.inventory.roleAssignments = [];
    fleet.snapshots.push(snapshot({ cluster: cluster({ name: "aks-second" }) }));
    const f = only(fires("identity.no-role-assignments", fleet));
    expect(f.severity).toBe("medium");
    expect(f.resource).toMatchObject({ kind: "ManagedIdentity", name: "id-orders" });
    expect(f.evidence).toMatchObject({ usedOnClusters: 2 });
    expect(f.remediation.command).toContain(`--assignee-object-id ${PRINCIPAL_ID} --assignee-principal-type ServicePrincipal`);
  });

  it("judges an app registration by its service principal", () => {
    const fleet = healthyFleet();
    fleet.inventory.applications = [app()];
    first(fleet).serviceAccounts.push(serviceAccount(NS, "default", { "azure.workload.identity/client-id": APP_CLIENT_ID }));
    first(fleet).pods.push({ ...first(fleet).pods[0]!, name: "debug", serviceAccountName: "default", owner: undefined });
    expect(only(fires("identity.no-role-assignments", fleet)).resource).toMatchObject({ kind: "AppRegistration", identityId: `app:${APP_CLIENT_ID}` });
  });

  it("stays quiet for identities no workload uses", () => {
    const fleet = healthyFleet();
    fleet.inventory.roleAssignments = [];
    first(fleet).pods = [];
    first(fleet).workloads = [];
    quiet("identity.no-role-assignments", fleet);
  });

  it("stays quiet when role assignments could not be read", () => {
    const fleet = healthyFleet();
    fleet.inventory.roleAssignments = [];
    fleet.inventory.errors = [{ kind: "forbidden", operation: "roleAssignments", message: "denied" }];
    quiet("identity.no-role-assignments", fleet);
  });
});

describe("identity.over-privileged", () => {
  it("reports Owner at subscription scope and Contributor at management-group scope, each once", () => {
    const fleet = healthyFleet();
    const mg = "/providers/Microsoft.Management/managementGroups/contoso";
    fleet.inventory.roleAssignments.push(
      roleAssignment({ id: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleAssignments/owner-1`, roleDefinitionId: OWNER, scope: `/subscriptions/${SUBSCRIPTION}` }),
      roleAssignment({ id: `${mg}/providers/Microsoft.Authorization/roleAssignments/contrib-1`, roleDefinitionId: CONTRIBUTOR, scope: mg }),
    );
    fleet.snapshots.push(snapshot({ cluster: cluster({ name: "aks-second" }) }));
    const found = fires("identity.over-privileged", fleet);
    expect(found.map((f) => f.title).sort()).toEqual([
      `Identity used by workloads is Contributor at ${mg}`,
      `Identity used by workloads is Owner at /subscriptions/${SUBSCRIPTION}`,
    ]);
    expect(found.every((f) => f.severity === "high" && f.controls.includes("MCSB PA-7"))).toBe(true);
    expect(found.find((f) => f.evidence.role === "Owner")?.remediation.command).toBe(
      `az role assignment delete --ids /subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleAssignments/owner-1`,
    );
  });

  it("stays quiet for Contributor on one resource group", () => {
    const fleet = healthyFleet();
    fleet.inventory.roleAssignments.push(roleAssignment({ roleDefinitionId: CONTRIBUTOR, scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-data` }));
    quiet("identity.over-privileged", fleet);
  });
});
