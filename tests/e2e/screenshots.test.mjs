// End-to-end: what the widget looks like, compared with pictures kept in the repository
// (tests/e2e/screenshots/). The main states — an order with parcels and the referral
// open, a delivery-choice form, a delivered order with its review form, its rewards and
// what goes well with it, an order still being prepared with its new-address form open —
// under three
// themes (the default, the dark preset, a shop's brand theme) at desktop width and at
// 375 pixels. The API answers from fixtures (tests/e2e/fixtures/) so dates and codes do
// not change from day to day; a picture may differ by at most 0.5% of its pixels.
//
// New or intended changes: UPDATE_SCREENSHOTS=1 node --test tests/e2e/screenshots.test.mjs
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, test } from "node:test";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";
import { demoForTests, presetBeforeMount } from "./shopper.mjs";

const T = { timeout: 90_000 };
const run = demoForTests();
const DIR = new URL("./screenshots/", import.meta.url);
const TOLERANCE = 0.005;
const fixture = (n) => JSON.parse(readFileSync(new URL(`./fixtures/order-${n}.json`, import.meta.url), "utf8"));

const THEMES = {
  default: { theme: null, css: "" },
  dark: { theme: "dark", css: "" },
  brand: {
    theme: null,
    css: `postpurchase-order { --pp-accent: #6b3e26; --pp-surface: #f6efe6; --pp-border: #e2d3c1;
      --pp-font: Georgia, "DejaVu Serif", serif; --pp-radius: 2px; --pp-button-radius: 2px;
      --pp-shadow: 0 2px 10px rgba(60, 30, 10, 0.15); }`,
  },
};
const WIDTHS = { desktop: { width: 1100, height: 900 }, phone: { width: 375, height: 800 } };

/** The storefront page for `order`, its API answered from the fixture. */
async function open(viewport, theme, order, modules = []) {
  // One browser language for every machine: the pictures hold US dates ("Wed, Nov 25").
  const page = await run.shopperPage({ viewport, locale: "en-US" });
  const data = fixture(order);
  data.order.modules.push(...modules);
  await page.route((url) => url.pathname.startsWith("/api/v1/shops/"), (route) => {
    const module = route.request().url().match(/\/orders\/[^/]+\/(referral|reviews|survey|returns|loyalty|pairs)$/);
    const body = module ? data[module[1]] : data.order;
    return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(body) });
  });
  if (theme.theme) {
    await presetBeforeMount(page, theme.theme);
  }
  await page.goto(run.orderUrl(order));
  if (theme.css) await page.addStyleTag({ content: theme.css });
  await page.locator("postpurchase-order .pp-card").waitFor();
  await page.locator("postpurchase-order [part=panel]:not([hidden]):not([aria-busy])").waitFor();
  return page;
}

/** Compares the widget's picture with the kept one. */
async function compare(page, name) {
  // Settled: no caret blinking, no pictures still decoding.
  await page.evaluate(() => document.activeElement?.blur?.());
  await page.waitForTimeout(100);
  const shot = PNG.sync.read(await page.locator("postpurchase-order").screenshot({ animations: "disabled", caret: "hide" }));
  const file = new URL(`${name}.png`, DIR);
  if (process.env.UPDATE_SCREENSHOTS || !existsSync(file)) {
    if (!process.env.UPDATE_SCREENSHOTS) assert.fail(`no picture ${name}.png yet: run with UPDATE_SCREENSHOTS=1 and look at it`);
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, PNG.sync.write(shot));
    return;
  }
  const kept = PNG.sync.read(readFileSync(file));
  assert.equal(`${shot.width}x${shot.height}`, `${kept.width}x${kept.height}`, `${name}: size`);
  const diff = new PNG({ width: kept.width, height: kept.height });
  const differing = pixelmatch(shot.data, kept.data, diff.data, kept.width, kept.height, { threshold: 0.1 });
  const share = differing / (kept.width * kept.height);
  if (share > TOLERANCE) {
    writeFileSync(new URL(`${name}.actual.png`, DIR), PNG.sync.write(shot));
    writeFileSync(new URL(`${name}.diff.png`, DIR), PNG.sync.write(diff));
  }
  assert.ok(share <= TOLERANCE, `${name}: ${(share * 100).toFixed(2)}% of pixels differ (see ${name}.diff.png)`);
}

describe("screenshots", () => {
  for (const [themeName, theme] of Object.entries(THEMES)) {
    for (const [widthName, viewport] of Object.entries(WIDTHS)) {
      test(`${themeName} at ${widthName} width: order, choice form, delivered order, rewards, goes well with, address change form`, T, async () => {
        const page = await open(viewport, theme, "1002");
        await compare(page, `${themeName}-${widthName}-order`);
        await page.locator("postpurchase-order").getByRole("button", { name: "Choose how to receive this parcel" }).first().click();
        await compare(page, `${themeName}-${widthName}-choice`);
        await page.context().close();
        const delivered = await open(viewport, theme, "1004");
        await compare(delivered, `${themeName}-${widthName}-delivered`);
        await delivered.context().close();
        // The week after delivery, drawn by the after-delivery module: the rewards with
        // their voucher card, and what goes well with the order.
        const week = await open(viewport, theme, "1004", ["loyalty", "pairs"]);
        for (const [name, shot] of [["Your rewards", "rewards"], ["Goes well with", "pairs"]]) {
          await week.locator("postpurchase-order").getByRole("button", { name, exact: true }).click();
          await week.locator("postpurchase-order").getByRole("region", { name }).locator("li").first().waitFor();
          await compare(week, `${themeName}-${widthName}-${shot}`);
        }
        await week.context().close();
        // The order still being prepared, with its new address form open.
        const fresh = await open(viewport, theme, "1001");
        await fresh.locator("postpurchase-order").getByRole("button", { name: "Change delivery address" }).click();
        await compare(fresh, `${themeName}-${widthName}-change`);
        await fresh.context().close();
      });
    }
  }
});
