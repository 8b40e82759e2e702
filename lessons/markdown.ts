import hljs from "highlight.js";
import katex from "katex";
import MarkdownIt from "markdown-it";

/**
 * Markdown for lesson prose: CommonMark via markdown-it with raw HTML disabled (so text in a notebook
 * cannot inject markup), code highlighted at build time, and `$...$` / `$$...$$` math rendered to
 * static KaTeX HTML at build time (the page needs only KaTeX's CSS, no script).
 */
const md = new MarkdownIt({
  html: false,
  linkify: true,
  typographer: true,
  highlight: (code, lang) => highlightCode(code, lang || "typescript"),
});

/**
 * A link to another notebook (`labs/lab2-broadcast.ipynb`, which works in Jupyter) points on the
 * site to that notebook's page, `<slug>.html` at the site root; other links are left as written.
 */
export function siteHref(href: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return href; // http:, mailto:, ... : not ours
  const m = /(?:^|\/)([\w-]+)\.ipynb(#.*)?$/.exec(href);
  return m?.[1] ? `${m[1]}.html${m[2] ?? ""}` : href;
}

const renderLinkOpen = md.renderer.rules["link_open"] ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules["link_open"] = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  const href = token?.attrGet("href");
  if (token && href) token.attrSet("href", siteHref(String(href)));
  return renderLinkOpen(tokens, idx, options, env, self);
};

/** Highlights code to HTML with highlight.js classes; unknown languages are escaped, not guessed. */
export function highlightCode(code: string, lang: string): string {
  const language = hljs.getLanguage(lang) ? lang : lang === "dedalus" ? "prolog" : undefined;
  if (!language) return md.utils.escapeHtml(code);
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}

const MATH = /\$\$([\s\S]+?)\$\$|(?<![\\$\w])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\w)/g;
const CODE = /(```[\s\S]*?```|`[^`\n]*`)/g;

/** True when a markdown text contains math, so the page links KaTeX's stylesheet. */
export function hasMath(text: string): boolean {
  return text.replace(CODE, "").match(MATH) !== null;
}

/** Renders lesson markdown to HTML (math included). */
export function renderMarkdown(text: string): string {
  // Math is swapped for placeholders before markdown runs (so `_` and `*` inside it are not
  // emphasis) and swapped back after; code spans and fences are left alone.
  const rendered: string[] = [];
  const protectedText = text
    .split(CODE)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(MATH, (_m: string, block: string | undefined, inline: string | undefined) => {
            const tex = block ?? inline ?? "";
            rendered.push(katex.renderToString(tex, { displayMode: block !== undefined, throwOnError: false, output: "html" }));
            return `MAZEMATH${rendered.length - 1}X`;
          }),
    )
    .join("");
  return md.render(protectedText).replace(/MAZEMATH(\d+)X/g, (_m, i: string) => rendered[Number(i)] ?? "");
}

/** Renders one line of markdown without a wrapping paragraph. */
export function renderInlineMarkdown(text: string): string {
  return md.renderInline(text);
}
