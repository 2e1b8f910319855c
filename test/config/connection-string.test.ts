import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../shared/config/index.js";
import { connectionStringProblem } from "../../shared/config/connection-string.js";
import { azuriteConnectionString } from "../support/azurite.js";

describe("FINDINGS_STORAGE_CONNECTION_STRING", () => {
  it.each([
    "UseDevelopmentStorage=true",
    azuriteConnectionString(10002),
    "DefaultEndpointsProtocol=https;AccountName=wiscanfindings;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net",
    "TableEndpoint=https://wiscanfindings.table.core.windows.net/;SharedAccessSignature=sv=2020-01-01&sig=abc",
    "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;SharedAccessSignature=sv=2020-01-01&sig=abc",
  ])("accepts %s", (value) => {
    expect(connectionStringProblem(value)).toBeUndefined();
    expect(loadConfig({ FINDINGS_STORAGE_CONNECTION_STRING: value }).store.kind).toBe("connection-string");
  });

  it.each([
    ["garbage", /key=value pairs/],
    ["AccountName=a;AccountKey=c2VjcmV0", /no DefaultEndpointsProtocol/],
    ["DefaultEndpointsProtocol=https;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net", /no AccountName/],
    ["DefaultEndpointsProtocol=https;AccountName=a;AccountKey=;EndpointSuffix=core.windows.net", /empty AccountKey/],
    ["DefaultEndpointsProtocol=ftp;AccountName=a;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net", /DefaultEndpointsProtocol=https/],
    ["DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0", /EndpointSuffix/],
    ["SharedAccessSignature=sv=1&sig=abc", /needs a TableEndpoint/],
    ["TableEndpoint=http://127.0.0.1:10002/;SharedAccessSignature=sv=1&sig=abc", /names no account/],
    ["AccountName=a", /neither an account connection string/],
  ])("rejects %s, naming the setting and not the value", (value, says) => {
    expect(connectionStringProblem(value)).toMatch(says);
    let problems: ConfigError["problems"] = [];
    try {
      loadConfig({ FINDINGS_STORAGE_CONNECTION_STRING: value });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]!.setting).toBe("FINDINGS_STORAGE_CONNECTION_STRING");
    expect(problems[0]!.problem).not.toContain("c2VjcmV0");
    expect(problems[0]!.problem).not.toContain("sig=abc");
  });
});
