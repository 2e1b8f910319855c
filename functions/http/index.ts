/** Registers the query API's HTTP functions (findings, scans, suppressions) and the digest resend route. */
import "./findings.js";
import "./scans.js";
import "./suppressions.js";
import "./digests.js";
