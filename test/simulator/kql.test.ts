import { describe, expect, it } from "vitest";
import { KqlError, parseKql, runKql } from "../../simulator/azure/kql.js";

const rows = [
  { id: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/b", name: "b", type: "microsoft.containerservice/managedclusters", properties: { fqdn: "b.example", oidcIssuerProfile: { enabled: true } } },
  { id: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/a", name: "a", type: "microsoft.containerservice/managedclusters", properties: { fqdn: "a.example", oidcIssuerProfile: { enabled: false } } },
  { id: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/c", name: "c", type: "microsoft.managedidentity/userassignedidentities", properties: { clientId: "x" } },
];

const run = (query: string) => runKql(parseKql(query), rows);

describe("the KQL subset", () => {
  it("filters on type case-insensitively with =~", () => {
    expect(run("resources | where type =~ 'Microsoft.ContainerService/managedClusters'").map((r) => r.name)).toEqual(["b", "a"]);
  });

  it("filters case-sensitively with ==", () => {
    expect(run("resources | where type == 'Microsoft.ContainerService/managedClusters'")).toEqual([]);
  });

  it("projects property paths under new names and unnamed paths as joined names", () => {
    expect(run("resources | where name == 'a' | project id, host = properties.fqdn, properties.oidcIssuerProfile.enabled")).toEqual([
      { id: rows[1]?.id, host: "a.example", properties_oidcIssuerProfile_enabled: false },
    ]);
  });

  it("gives null for a projected path that the row does not have", () => {
    expect(run("resources | where name == 'c' | project id, host = properties.fqdn")).toEqual([{ id: rows[2]?.id, host: null }]);
  });

  it("extends rows with property paths and keeps the other columns", () => {
    const [row] = run("resources | where name == 'c' | extend clientId = properties['clientId']");
    expect(row).toMatchObject({ name: "c", clientId: "x" });
  });

  it("orders ascending or descending, descending by default as Kusto does", () => {
    expect(run("resources | order by name asc").map((r) => r.name)).toEqual(["a", "b", "c"]);
    expect(run("resources | sort by name").map((r) => r.name)).toEqual(["c", "b", "a"]);
  });

  it("combines conditions with and, or, parentheses and in~", () => {
    const query = "resources | where (name == 'a' or name == 'c') and type in~ ('MICROSOFT.MANAGEDIDENTITY/USERASSIGNEDIDENTITIES', 'x') | project name";
    expect(run(query)).toEqual([{ name: "c" }]);
    expect(run("resources | where name !in ('a', 'b') | project name")).toEqual([{ name: "c" }]);
  });

  it("compares booleans on nested properties", () => {
    expect(run("resources | where properties.oidcIssuerProfile.enabled == true | project name")).toEqual([{ name: "b" }]);
  });

  it("limits the rows with take", () => {
    expect(run("resources | order by name asc | take 2").map((r) => r.name)).toEqual(["a", "b"]);
  });

  it("records the projected columns so that the server knows whether id is among them", () => {
    expect(parseKql("resources | project name, host = properties.fqdn | extend x = name").projectedColumns).toEqual(["name", "host", "x"]);
    expect(parseKql("resources | where name == 'a'").projectedColumns).toBeUndefined();
  });

  it("refuses an operator it does not implement instead of ignoring it", () => {
    const error = catchKql("resources | summarize count() by type");
    expect(error.code).toBe("UnsupportedOperator");
    expect(error.token).toBe("summarize");
  });

  it("refuses functions", () => {
    expect(catchKql("resources | where isnotempty(properties.fqdn)").code).toBe("UnknownFunction");
  });

  it("refuses tables it does not serve", () => {
    expect(catchKql("securityresources | where type =~ 'x'").code).toBe("UnknownTable");
  });

  it("refuses comparisons it does not implement", () => {
    expect(catchKql("resources | where name contains 'a'").code).toBe("UnsupportedOperator");
  });

  it("reports a syntax error with its position", () => {
    const error = catchKql("resources | where name == ");
    expect(error.code).toBe("ParserFailure");
    expect(error.position).toBe(26);
  });
});

function catchKql(query: string): KqlError {
  try {
    parseKql(query);
  } catch (error) {
    if (error instanceof KqlError) return error;
    throw error;
  }
  throw new Error(`parsed without error: ${query}`);
}
