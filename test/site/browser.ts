import * as fs from "node:fs";
import type { Browser } from "playwright-core";

/** Debian's chromium, which CI installs; the tests never download a browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether browser tests can run here; in CI a missing chromium is a failure, not a skip. */
export function chromiumAvailable(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  if (process.env["CI"]) throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium`);
  console.warn(`skipping browser tests: ${CHROMIUM} not found (apt-get install -y chromium)`);
  return false;
}

/** Launches headless chromium with every background network feature off. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-extensions",
    ],
  });
}

/** What a page did while it loaded. */
export interface PageReport {
  readonly consoleErrors: string[];
  readonly foreignRequests: string[];
  readonly charts: { total: number; rendered: number };
}

/**
 * Opens a URL and reports console errors, requests that leave the allowed origin (anything but
 * the local server or file://), and how many `.maze-chart` containers hold an svg/canvas.
 */
export async function inspectPage(browser: Browser, url: string, allowedPrefix: string): Promise<PageReport> {
  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  page.on("response", (r) => {
    if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(allowedPrefix) && !u.startsWith("data:") && !u.startsWith("about:")) foreignRequests.push(u);
  });
  await page.goto(url, { waitUntil: "load" });
  // Interactive charts replace their static SVG asynchronously; wait until each has settled.
  await page.waitForFunction(
    () => [...document.querySelectorAll(".maze-chart")].every((f) => f.getAttribute("data-rendered") !== null),
    undefined,
    { timeout: 20_000 },
  );
  const charts = await page.evaluate(() => {
    const figs = [...document.querySelectorAll(".maze-chart")];
    return { total: figs.length, rendered: figs.filter((f) => f.querySelector(".chart-live svg, .chart-live canvas, .chart-static:not([hidden]) svg")).length };
  });
  await page.close();
  return { consoleErrors, foreignRequests, charts };
}
