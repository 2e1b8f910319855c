/**
 * Renders a digest view into its HTML and plain-text parts: one Handlebars
 * environment per part, set up by registerHelpers, then the HTML part's CSS
 * inlined by juice (mail clients drop or ignore <style> blocks).
 */
import Handlebars from "handlebars";
import type { DigestView } from "./model.js";
import { FINDING_PARTIAL, HTML_TEMPLATE } from "./templates/html.js";
import { TEXT_FINDING_PARTIAL, TEXT_TEMPLATE } from "./templates/text.js";
import { plural } from "./view-model.js";

export const DIGEST_PART_KINDS = ["html", "text"] as const;
export type DigestPartKind = (typeof DIGEST_PART_KINDS)[number];

/** The only place helpers and partials are registered. Helpers format; they never decide what to show. */
export function registerHelpers(hbs: typeof Handlebars, kind: DigestPartKind): void {
  hbs.registerHelper("plural", (n: unknown, noun: unknown) => plural(Number(n), String(noun)));
  hbs.registerHelper("indent", (text: unknown) =>
    String(text ?? "")
      .split("\n")
      .map((line) => `      ${line}`)
      .join("\n"),
  );
  switch (kind) {
    case "html":
      hbs.registerPartial("finding", FINDING_PARTIAL);
      return;
    case "text":
      hbs.registerPartial("finding", TEXT_FINDING_PARTIAL);
      return;
    default: {
      const never: never = kind;
      throw new Error(`unknown digest part ${String(never)}`);
    }
  }
}

type Template = (view: DigestView) => string;
const templates = new Map<DigestPartKind, Template>();

function template(kind: DigestPartKind): Template {
  const cached = templates.get(kind);
  if (cached) return cached;
  const hbs = Handlebars.create();
  registerHelpers(hbs, kind);
  // The text part is text/plain: escaping would show "&lt;" to the reader. The HTML part always escapes.
  const compiled = hbs.compile<DigestView>(kind === "html" ? HTML_TEMPLATE : TEXT_TEMPLATE, { noEscape: kind === "text", strict: true });
  const render: Template = (view) => compiled(view);
  templates.set(kind, render);
  return render;
}

type Juice = (html: string, options?: Record<string, unknown>) => string;
let juice: Juice | undefined;

async function loadJuice(): Promise<Juice> {
  if (juice) return juice;
  try {
    const loaded = (await import("juice" as string)) as { default?: Juice } & Juice;
    juice = loaded.default ?? loaded;
    return juice;
  } catch (error) {
    throw new Error("the package juice is not installed: the digest's CSS cannot be inlined (add juice@11.1.1 to dependencies; see docs/digest.md)", { cause: error });
  }
}

export interface RenderedParts {
  html: string;
  text: string;
}

export async function renderDigestParts(view: DigestView): Promise<RenderedParts> {
  const inline = await loadJuice();
  const raw = template("html")(view);
  const html = inline(raw, {
    removeStyleTags: true,
    preserveMediaQueries: true,
    preserveImportant: true,
    applyWidthAttributes: true,
    applyHeightAttributes: false,
    applyAttributesTableElements: true,
    // Nothing is fetched: the digest has no external resources, and a render must never reach the network.
    webResources: { images: false, scripts: false, links: false },
  });
  return { html, text: template("text")(view) };
}
