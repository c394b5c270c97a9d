// Shared by the end-to-end tests: a shopper's browser page on the demo, and axe-core.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before } from "node:test";
import { launch } from "./browser.mjs";
import { startDemo } from "./demo-server.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** A fresh context and page in `browser`; `page.errors` collects the page's errors and
 * `page.dialogs` any dialog it opened (dismissed at once). */
export async function shopperPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: "en-GB", timezoneId: "Europe/Amsterdam", ...options });
  const page = await context.newPage();
  page.errors = [];
  page.dialogs = [];
  page.on("pageerror", (e) => { page.errors.push(e.message); if (process.env.PP_DEBUG) console.log("PAGEERROR", e.stack); });
  page.on("dialog", (d) => {
    page.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  return page;
}

/** What axe-core finds wrong in the page, widget included, as `id (impact): targets`.
 * axe is evaluated through DevTools, so a page's Content-Security-Policy does not stop it. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

/** A demo (fresh data) and a browser for the test file that calls this; the returned
 * object has `demo`, `shopperPage(options)` and `orderUrl(number)` once the tests run. */
export function demoForTests(options = {}) {
  const run = {};
  before(async () => {
    run.demo = await startDemo(options);
    run.browser = await launch();
  });
  after(async () => {
    await run.browser?.close();
    await run.demo?.stop();
  });
  run.shopperPage = (options) => shopperPage(run.browser, options);
  run.orderUrl = (number) => `${run.demo.shop}/?order=${number}`;
  return run;
}

/** Sets `theme` (a preset) on the widget's element as the loader places it, before it
 * mounts, as `data-theme` on the tag would. */
export function presetBeforeMount(page, theme) {
  return page.addInitScript((t) => {
    new MutationObserver((_, observer) => {
      const el = document.querySelector("postpurchase-order");
      if (el) {
        el.setAttribute("theme", t);
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  }, theme);
}
