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

/** Words in a photo's metadata that must never be stored. */
export const GPS = "GPS 52.3752 N 4.8840 E";

/** A photo as a phone sends it: a real JPEG (drawn by the browser) with an EXIF block that
 * names the camera and the place it was taken. */
export async function phonePhoto(page) {
  const drawn = await page.evaluate(async () => {
    const c = document.createElement("canvas");
    c.width = 64;
    c.height = 48;
    const g = c.getContext("2d");
    g.fillStyle = "#b5562f";
    g.fillRect(0, 0, 64, 48);
    const blob = await new Promise((done) => c.toBlob(done, "image/jpeg", 0.9));
    return Array.from(new Uint8Array(await blob.arrayBuffer()));
  });
  const text = Buffer.from(`Pixel-9\0${GPS}\0`);
  // Exif, big-endian TIFF, IFD0 with one entry (the make, as ASCII, after the IFD).
  const tiff = Buffer.concat([
    Buffer.from("MM\0\x2a\0\0\0\x08\0\x01\x01\x0f\0\x02", "latin1"),
    Buffer.from([0, 0, 0, text.length, 0, 0, 0, 26, 0, 0, 0, 0]),
    text,
  ]);
  const body = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 255]), body]);
  const jpeg = Buffer.from(drawn);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}
