/** Lesson markdown on the site: links to notebooks become links to their pages. */
import { renderMarkdown, siteHref } from "../../lessons/markdown";

test("a link to a notebook points to its page at the site root; other links are left alone", () => {
  expect(siteHref("labs/lab2-broadcast.ipynb")).toBe("lab2-broadcast.html");
  expect(siteHref("05-dedalus.ipynb#locality")).toBe("05-dedalus.html#locality");
  expect(siteHref("https://example.org/x.ipynb")).toBe("https://example.org/x.ipynb");
  expect(siteHref("notes.md")).toBe("notes.md");
  expect(renderMarkdown("see [Lab 4](labs/lab4-calm.ipynb)")).toContain('<a href="lab4-calm.html">Lab 4</a>');
});
