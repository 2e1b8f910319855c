/**
 * Renders a digest view into its HTML and plain-text parts with the shared
 * renderer (shared/views/renderer.ts: the same helpers and `finding` partial
 * as the console), then the HTML part's CSS inlined by juice (mail clients
 * drop or ignore <style> blocks).
 */
import type Handlebars from "handlebars";
import { registerHelpers as registerViewHelpers, renderer, type RenderKind } from "../views/index.js";
import type { DigestView } from "./model.js";
import { HTML_TEMPLATE } from "./templates/html.js";
import { TEXT_TEMPLATE } from "./templates/text.js";

export const DIGEST_PART_KINDS = ["html", "text"] as const;
export type DigestPartKind = (typeof DIGEST_PART_KINDS)[number];

const RENDER_KIND: Record<DigestPartKind, RenderKind> = { html: "email-html", text: "text" };
const TEMPLATE: Record<DigestPartKind, string> = { html: HTML_TEMPLATE, text: TEXT_TEMPLATE };

/** The helpers and partials of a digest part (the shared renderer's, for its kind). */
export function registerHelpers(hbs: typeof Handlebars, kind: DigestPartKind): void {
  registerViewHelpers(hbs, RENDER_KIND[kind]);
}

function template(kind: DigestPartKind): (view: DigestView) => string {
  return (view) => renderer(RENDER_KIND[kind]).render(TEMPLATE[kind], view);
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
