/** Registers the query API's HTTP functions (findings, scans, suppressions and their audit log) and the digest resend route. */
import "./findings.js";
import "./scans.js";
import "./suppressions.js";
import "./suppression-audit.js";
import "./digests.js";
