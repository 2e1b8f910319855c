/**
 * The one Handlebars set-up for everything wiscan renders (SIDE-BY-SIDE
 * (b)4): the digest's HTML and text parts and the console's pages. Each kind
 * gets the same helpers and a `finding` partial; pages also get the `layout`
 * partial, set once, which every page wraps itself in (`{{#> layout}}`).
 * HTML kinds always escape ({{ }}); only the text part, which is text/plain,
 * does not. Strict mode turns a template naming a missing field into an error
 * instead of an empty string.
 */
import Handlebars from "handlebars";
import { FINDING_PARTIAL } from "../digest/templates/html.js";
import { TEXT_FINDING_PARTIAL } from "../digest/templates/text.js";
import { plural } from "./format.js";
import { LAYOUT_PARTIAL, PAGE_FINDING_PARTIAL } from "./templates/page.js";

export const RENDER_KINDS = ["email-html", "text", "page"] as const;
export type RenderKind = (typeof RENDER_KINDS)[number];

export interface Renderer {
  readonly kind: RenderKind;
  /** Renders a template (compiled once per template text) with a view. */
  render<V>(template: string, view: V): string;
}

/** Registers the helpers and partials of a kind. Helpers format; they never decide what to show. */
export function registerHelpers(hbs: typeof Handlebars, kind: RenderKind): void {
  hbs.registerHelper("plural", (n: unknown, noun: unknown) => plural(Number(n), String(noun)));
  hbs.registerHelper("indent", (text: unknown) =>
    String(text ?? "")
      .split("\n")
      .map((line) => `      ${line}`)
      .join("\n"),
  );
  switch (kind) {
    case "email-html":
      hbs.registerPartial("finding", FINDING_PARTIAL);
      return;
    case "text":
      hbs.registerPartial("finding", TEXT_FINDING_PARTIAL);
      return;
    case "page":
      // Mail needs tables and inline styles; a page under a strict CSP may have neither, so its finding partial uses classes.
      hbs.registerPartial("finding", PAGE_FINDING_PARTIAL);
      hbs.registerPartial("layout", LAYOUT_PARTIAL);
      return;
    default: {
      const never: never = kind;
      throw new Error(`unknown render kind ${String(never)}`);
    }
  }
}

export function createRenderer(kind: RenderKind): Renderer {
  const hbs = Handlebars.create();
  registerHelpers(hbs, kind);
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  return {
    kind,
    render<V>(template: string, view: V): string {
      let compile = compiled.get(template);
      if (compile === undefined) {
        compile = hbs.compile(template, { noEscape: kind === "text", strict: true });
        compiled.set(template, compile);
      }
      return compile(view);
    },
  };
}

const shared = new Map<RenderKind, Renderer>();

/** The process's renderer of a kind: templates compile once per process. */
export function renderer(kind: RenderKind): Renderer {
  let r = shared.get(kind);
  if (r === undefined) {
    r = createRenderer(kind);
    shared.set(kind, r);
  }
  return r;
}
