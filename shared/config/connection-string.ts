/**
 * FINDINGS_STORAGE_CONNECTION_STRING, checked the way @azure/data-tables 13
 * reads it (utils/connectionString.js), so that a malformed one is a
 * configuration error naming the setting at start, not a TypeError from inside
 * the SDK at the first request. Messages never repeat the value: it holds a key.
 */

const FORMS =
  'e.g. "UseDevelopmentStorage=true", "DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net" or "TableEndpoint=https://...;SharedAccessSignature=..."';

/** Storage account keys are base64. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** What is wrong with a Table Storage connection string, in a phrase that follows the setting's name; undefined when nothing is. */
export function connectionStringProblem(value: string): string | undefined {
  // The SDK replaces any string that contains this with Azurite's well-known one.
  if (/usedevelopmentstorage=true/i.test(value)) return undefined;
  const pairs = new Map<string, string>();
  for (const element of value.split(";")) {
    const part = element.trim();
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) return `must be key=value pairs separated by ";" (${FORMS})`;
    const key = part.slice(0, eq).trim().toLowerCase();
    // The SDK takes the first occurrence of a key.
    if (!pairs.has(key)) pairs.set(key, part.slice(eq + 1).trim());
  }
  const get = (key: string) => pairs.get(key.toLowerCase()) ?? "";

  const tableEndpoint = get("TableEndpoint");
  if (tableEndpoint !== "" && !isHttpUrl(tableEndpoint)) return "has a TableEndpoint that is not an http:// or https:// URL";

  if (pairs.has("defaultendpointsprotocol") && pairs.has("accountkey")) {
    if (get("AccountName") === "") return "has no AccountName";
    const key = get("AccountKey");
    if (key === "") return "has an empty AccountKey";
    if (!BASE64.test(key)) return "has an AccountKey that is not base64 (copy the key from the storage account's Access keys)";
    if (tableEndpoint === "") {
      if (!/^https?$/i.test(get("DefaultEndpointsProtocol"))) return "must have DefaultEndpointsProtocol=https (or http) when it has no TableEndpoint";
      if (get("EndpointSuffix") === "") return "needs an EndpointSuffix (e.g. core.windows.net) or a TableEndpoint";
    }
    return undefined;
  }
  if (pairs.has("accountkey")) return "has an AccountKey but no DefaultEndpointsProtocol (https, or http for Azurite)";
  if (pairs.has("sharedaccesssignature")) {
    if (get("SharedAccessSignature") === "") return "has an empty SharedAccessSignature";
    if (tableEndpoint === "") return "needs a TableEndpoint with its SharedAccessSignature";
    const url = new URL(tableEndpoint);
    const accountInHost = url.hostname.split(".")[1] === "table";
    if (!accountInHost && (url.pathname.split("/")[1] ?? "") === "") {
      return "has a TableEndpoint that names no account (https://<account>.table.<suffix>, or http://<host>:<port>/<account> for Azurite)";
    }
    return undefined;
  }
  return `is neither an account connection string (with AccountKey) nor a SAS one (with SharedAccessSignature) (${FORMS})`;
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}
