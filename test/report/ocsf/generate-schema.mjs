#!/usr/bin/env node
/**
 * How test/report/ocsf/detection_finding-1.3.0.schema.json was made. Not run by
 * the tests (they have no network and no OCSF sources): run it by hand to
 * regenerate, from a clone of https://github.com/ocsf/ocsf-schema:
 *
 *   node test/report/ocsf/generate-schema.mjs <ocsf-schema git dir> v1.3.0 cloud > test/report/ocsf/detection_finding-1.3.0.schema.json
 *
 * schema.ocsf.io serves the same JSON Schema at
 * https://schema.ocsf.io/1.3.0/schema/classes/detection_finding?profiles=cloud, produced by
 * ocsf-server's lib/schema/json_schema.ex from these sources. That host could
 * not be reached from here, so this script follows json_schema.ex's rules on
 * the tagged sources: every attribute of the class and its parents (includes
 * merged in; of the profiles' attributes only those of the profiles named, as
 * the server's `profiles` filter does: wiscan declares `cloud`), required
 * attributes listed, `additionalProperties: false` on every object, enums as
 * `enum` (or `const` for one value), arrays as `items`, objects under `$defs`,
 * at_least_one / just_one constraints as anyOf / oneOf. It does not add the
 * datetime profile's generated `*_dt` siblings, which wiscan never writes: the
 * schema is, if anything, stricter than the served one.
 */
import { execFileSync } from "node:child_process";

const [repo, tag, ...profileArgs] = process.argv.slice(2);
const PROFILES = new Set(profileArgs);
if (!repo || !tag) {
  process.stderr.write("usage: generate-schema.mjs <ocsf-schema git dir> <tag>\n");
  process.exit(2);
}
const read = (path) => JSON.parse(execFileSync("git", ["--git-dir", repo, "show", `${tag}:${path}`], { encoding: "utf8" }));
const exists = (path) => {
  try {
    execFileSync("git", ["--git-dir", repo, "cat-file", "-e", `${tag}:${path}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

const dictionary = read("dictionary.json");
const dataTypes = dictionary.types.attributes;
const categories = read("categories.json").attributes;

function merge(base, over) {
  const out = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) {
    out[k] = k === "enum" && out.enum ? { ...out.enum, ...v } : v;
  }
  return out;
}

/** Attributes of a file, with its $include files merged in (includes first, then the file's own). */
function attributesOf(definition) {
  let attrs = {};
  const own = { ...(definition.attributes ?? {}) };
  for (const path of own.$include ?? []) {
    const included = read(path);
    const profile = included.meta === "profile" ? included.name : undefined;
    for (const [name, a] of Object.entries(included.attributes ?? {})) attrs[name] = merge(attrs[name], profile ? { ...a, profile } : a);
  }
  delete own.$include;
  for (const [name, a] of Object.entries(own)) attrs[name] = merge(attrs[name], a);
  return attrs;
}

function findEvent(name) {
  if (name === "base_event") return "events/base_event.json";
  for (const dir of Object.keys(categories)) if (exists(`events/${dir}/${name}.json`)) return `events/${dir}/${name}.json`;
  throw new Error(`no event ${name}`);
}

/** The definition with its parents' attributes under its own (extends chain). */
function resolve(path, findParent) {
  const def = read(path);
  if (!def.extends) return { ...def, attributes: attributesOf(def) };
  const parent = resolve(findParent(def.extends), findParent);
  const attrs = { ...parent.attributes };
  for (const [name, a] of Object.entries(attributesOf(def))) attrs[name] = merge(attrs[name], a);
  return { ...parent, ...def, attributes: attrs, constraints: def.constraints ?? parent.constraints };
}

function baseType(type) {
  let t = type;
  while (dataTypes[t]?.type) t = dataTypes[t].type;
  return t;
}

function primitive(t) {
  switch (baseType(t)) {
    case "string_t": return "string";
    case "integer_t":
    case "long_t": return "integer";
    case "float_t": return "number";
    case "boolean_t": return "boolean";
    default: return undefined;
  }
}

const defs = {};

function encodeAttribute(name, attr) {
  const dict = dictionary.attributes[name] ?? {};
  const a = merge(dict, attr);
  const type = a.type;
  let schema = { title: a.caption };
  if (type && !type.endsWith("_t")) {
    encodeObject(type);
    schema.$ref = `#/$defs/${type.replace("/", "_")}`;
  } else if (type === "json_t") {
    // any value
  } else if (type === "integer_t" || type === "string_t") {
    const keys = a.enum ? Object.keys(a.enum).map((k) => (type === "integer_t" ? Number(k) : k)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)) : undefined;
    if (keys && keys.length === 1) schema.const = keys[0];
    else if (keys) schema.enum = keys;
    schema.type = type === "integer_t" ? "integer" : "string";
  } else {
    const p = primitive(type);
    if (p) schema.type = p;
  }
  if (a.is_array) {
    const items = schema.$ref ? { $ref: schema.$ref } : schema.enum ? { type: schema.type, enum: schema.enum } : schema.type ? { type: schema.type } : {};
    const { $ref: _r, enum: _e, ...rest } = schema;
    schema = { ...rest, type: "array", items };
  }
  return schema;
}

function encodeItem(item) {
  const properties = {};
  const required = [];
  const justOne = item.constraints?.just_one ?? [];
  const atLeastOne = item.constraints?.at_least_one ?? [];
  for (const name of Object.keys(item.attributes).sort()) {
    const attr = item.attributes[name];
    if (attr.profile && !PROFILES.has(attr.profile)) continue;
    properties[name] = encodeAttribute(name, attr);
    if (!justOne.includes(name) && !atLeastOne.includes(name) && attr.requirement === "required") required.push(name);
  }
  const schema = { title: item.caption, type: "object", properties, additionalProperties: Object.keys(properties).length === 0 };
  if (required.length > 0) schema.required = required.sort();
  if (justOne.length > 0) schema.oneOf = justOne.map((n) => ({ required: [n], not: { required: justOne.filter((o) => o !== n) } }));
  if (atLeastOne.length > 0) schema.anyOf = atLeastOne.map((n) => ({ required: [n] }));
  return schema;
}

function encodeObject(name) {
  const key = name.replace("/", "_");
  if (key in defs) return;
  defs[key] = {}; // reserve: objects refer to themselves (e.g. process.parent_process)
  const def = resolve(`objects/${name}.json`, (parent) => `objects/${parent}.json`);
  defs[key] = encodeItem(def);
}

const klass = resolve(findEvent("detection_finding"), findEvent);
const category = categories[klass.category];
const classUid = category.uid * 1000 + klass.uid;
const attrs = { ...klass.attributes };
// Values the server computes for a class: its category, its uid, and one type_uid per activity.
attrs.category_uid = { ...attrs.category_uid, enum: { [category.uid]: { caption: category.caption } } };
attrs.class_uid = { ...attrs.class_uid, enum: { [classUid]: { caption: klass.caption } } };
const activities = { ...(dictionary.attributes.activity_id.enum ?? {}), ...(attrs.activity_id.enum ?? {}) };
attrs.type_uid = merge(attrs.type_uid, {
  type: "integer_t",
  enum: Object.fromEntries(Object.keys(activities).map((k) => [classUid * 100 + Number(k), {}])),
});
const body = encodeItem({ ...klass, attributes: attrs });
const schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: `https://schema.ocsf.io/schema/classes/${klass.name}`,
  $comment: `Generated from ocsf/ocsf-schema ${tag} with profiles ${[...PROFILES].join(", ") || "none"} by test/report/ocsf/generate-schema.mjs (the rules of ocsf-server lib/schema/json_schema.ex)`,
  ...body,
  $defs: Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b))),
};
process.stdout.write(JSON.stringify(schema, null, 2) + "\n");
