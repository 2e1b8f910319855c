/** Registers the query API's HTTP functions (findings, scans, suppressions). */
import "./findings.js";
import "./scans.js";
import "./suppressions.js";
