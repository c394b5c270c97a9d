// End-to-end: the week after delivery on the demo storefront in Debian's Chromium, by role,
// label and text — the rewards (points, balance, the voucher copied, buy again), use and
// care with a re-order reminder set and cancelled by keyboard, what goes well with the
// order with its click counted for the shop, the unboxing and its share links, faster
// delivery asked for and confirmed by the shop; all drawn by the after-delivery module,
// which no first paint loads and which, failing to load, says so and loads on a retry.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, demoForTests } from "./shopper.mjs";

const T = { timeout: 90_000 };
const KEY = "e2e-after-demo-key-0123456789abcdef";
const run = demoForTests({ env: { PP_DEMO_API_KEY: KEY } });
const widget = (page) => page.locator("postpurchase-order");
const region = (page, name) => widget(page).getByRole("region", { name });
const opener = (page, name) => widget(page).getByRole("button", { name, exact: true });
const afterFiles = (page) => {
  const seen = [];
  page.on("request", (r) => { if (/postpurchase-after|after\.css|after-texts/.test(r.url())) seen.push(r.url().split("/").pop()); });
  return seen;
};

async function admin(path, init = {}) {
  const r = await fetch(`${run.demo.api}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", ...(init.headers || {}) },
  });
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
}

async function axe(page) {
  assert.deepEqual(await axeViolations(page), []);
}

describe("the week after delivery", () => {
  test("the first paint loads none of it; the rewards load it once, with the voucher copied and buy again", T, async () => {
    const page = await run.shopperPage({ permissions: ["clipboard-read", "clipboard-write"] });
    const seen = afterFiles(page);
    await page.goto(run.orderUrl("1004"));
    // Delivered: the reviews lead; nothing of the after-delivery module is fetched.
    await region(page, "Review your items").getByRole("group", { name: "Your rating" }).first().waitFor();
    await page.waitForLoadState("networkidle");
    assert.deepEqual(seen, []);

    await opener(page, "Your rewards").click();
    const rewards = region(page, "Your rewards");
    await rewards.getByText("Good to see you again! Here is what you have earned.").waitFor();
    await rewards.getByText("Klei Club").waitFor();
    await rewards.getByText(/^This order earns you [\d,]+ points\.$/).waitFor();
    await rewards.getByText("Your balance: 1,480 points.").waitFor();
    await rewards.getByText("For your next order: 10% off").waitFor();
    const code = await rewards.locator("code").textContent();
    assert.match(code, /^THANKS-[A-Z0-9]+$/);
    await rewards.getByText(/^Valid until \d+ \w+ \d{4}\.$/).waitFor();
    await rewards.getByRole("button", { name: "Copy code" }).click();
    await rewards.getByRole("status").filter({ hasText: "Code copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
    // Buy again: each delivered item, linked to the shop's product page.
    const again = rewards.getByRole("link", { name: "Buy again: Gooseneck kettle" });
    assert.match(await again.getAttribute("href"), /product=KETTLE-GOOSE$/);
    assert.equal(await again.getAttribute("target"), "_blank");
    await axe(page);

    // Another of the week's modules uses what was loaded: each file once.
    await opener(page, "Unboxing").click();
    await region(page, "Unboxing").getByText(/^Thank you for ordering from our little roastery/).waitFor();
    assert.deepEqual([...new Set(seen)].sort(), ["after-texts-en.json", "after.css", "postpurchase-after.js", "postpurchase-after_bg.wasm"]);
    assert.equal(seen.filter((f) => f.endsWith(".wasm")).length, 1);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("use and care: a re-order reminder set and cancelled by keyboard alone, the shop seeing it", T, async () => {
    const page = await run.shopperPage();
    await page.goto(run.orderUrl("1004"));
    await opener(page, "Use and care").focus();
    await page.keyboard.press("Enter");
    const care = region(page, "Use and care");
    await care.getByRole("heading", { name: "Paper filters" }).waitFor();
    await care.getByText(/^Rinse the filter with hot water/).waitFor();
    await care.getByText(/^Descale once a month/).waitFor();
    assert.ok(await care.getByRole("link", { name: "More about caring for it: Gooseneck kettle" }).isVisible());
    const remind = care.getByRole("button", { name: "Remind me to re-order in 45 days" });
    await remind.focus();
    await page.keyboard.press("Enter");
    await care.getByText(/^We'll remind you to re-order on \d+ \w+ \d{4}\.$/).waitFor();
    // The keyboard stays on the line: its new button is focused.
    const cancel = care.getByRole("button", { name: "Cancel the reminder" });
    assert.ok(await cancel.evaluate((b) => b.getRootNode().activeElement === b));
    let product = await admin("/api/v1/admin/products/FILTER-100");
    assert.equal(product.body.reminders_waiting, 1);
    await page.keyboard.press("Enter");
    await care.getByText("The reminder is cancelled.").first().waitFor();
    await care.getByRole("button", { name: "Remind me to re-order in 45 days" }).waitFor();
    product = await admin("/api/v1/admin/products/FILTER-100");
    assert.equal(product.body.reminders_waiting, 0);
    await axe(page);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("goes well with: pictures, names, prices and links, a click counted for the shop", T, async () => {
    const page = await run.shopperPage();
    await page.goto(run.orderUrl("1004"));
    await opener(page, "Goes well with").click();
    const pairs = region(page, "Goes well with");
    await pairs.getByText("Chosen by the shop to go with your order.").waitFor();
    const mug = pairs.getByRole("listitem").filter({ hasText: "Stoneware mug" });
    await mug.getByText("€14.50").waitFor();
    const before = (await admin("/api/v1/admin/products/KETTLE-GOOSE")).body.pairs.find((p) => p.name === "Stoneware mug").clicks ?? 0;
    const [opened] = await Promise.all([
      page.context().waitForEvent("page"),
      mug.getByRole("link", { name: "View: Stoneware mug" }).click(),
    ]);
    await opened.close();
    let clicks = before;
    for (let i = 0; i < 50 && clicks === before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      clicks = (await admin("/api/v1/admin/products/KETTLE-GOOSE")).body.pairs.find((p) => p.name === "Stoneware mug").clicks ?? 0;
    }
    assert.equal(clicks, before + 1);
    await axe(page);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("the unboxing: the shop's notes and share links where the browser cannot share; the share sheet where it can", T, async () => {
    const page = await run.shopperPage();
    await page.goto(run.orderUrl("1004"));
    await opener(page, "Unboxing").click();
    const unboxing = region(page, "Unboxing");
    await unboxing.getByText(/^Our boxes and paper padding are recycled/).waitFor();
    await unboxing.getByText("Show us what arrived: #koffieenklei @koffieenklei").waitFor();
    const shared = await page.evaluate(() => typeof navigator.share === "function");
    if (!shared) {
      const x = unboxing.getByRole("link", { name: "Share on X" });
      assert.match(await x.getAttribute("href"), /^https:\/\/x\.com\/intent\/post\?text=My%20order%20from%20Koffie%20%26%20Klei/);
      await unboxing.getByRole("link", { name: "Share on WhatsApp" }).waitFor();
    }
    await axe(page);
    await page.context().close();

    // A browser with Web Share gets one button, which opens the sheet with the words.
    const phone = await run.shopperPage();
    await phone.addInitScript(() => {
      window.__shared = [];
      Object.defineProperty(Navigator.prototype, "share", { value: (data) => { window.__shared.push(data); return Promise.resolve(); }, configurable: true });
    });
    await phone.goto(run.orderUrl("1004"));
    await opener(phone, "Unboxing").click();
    await region(phone, "Unboxing").getByRole("button", { name: "Share" }).click();
    await phone.waitForFunction(() => window.__shared.length === 1);
    const [data] = await phone.evaluate(() => window.__shared);
    assert.equal(data.text, "My order from Koffie & Klei just arrived! #koffieenklei @koffieenklei");
    assert.equal(await region(phone, "Unboxing").getByRole("link", { name: "Share on X" }).count(), 0);
    assert.deepEqual(phone.errors, []);
    await phone.context().close();
  });

  test("a module that cannot load says so, and opening the panel again loads it", T, async () => {
    const page = await run.shopperPage();
    let refused = 0;
    await page.route("**/postpurchase-after_bg.wasm", (route) => {
      if (refused++ === 0) return route.abort("connectionreset");
      return route.continue();
    });
    await page.goto(run.orderUrl("1004"));
    await opener(page, "Your rewards").click();
    await region(page, "Your rewards").getByRole("alert").filter({ hasText: "This could not be loaded right now." }).waitFor();
    await opener(page, "Your rewards").click();
    await opener(page, "Your rewards").click();
    await region(page, "Your rewards").getByText("Your balance: 1,480 points.").waitFor();
    assert.equal(refused, 2);
    await page.context().close();
  });

  test("in Dutch", T, async () => {
    // The hosted page speaks the browser's language (the demo storefront is English).
    const page = await run.shopperPage({ locale: "nl-NL" });
    await page.goto(run.orderUrl("1004"));
    const token = await page.locator("script[data-order]").getAttribute("data-order");
    await page.goto(`${run.demo.api}/o/demo/${token}`);
    await opener(page, "Jouw voordeel").click();
    await region(page, "Jouw voordeel").getByText("Fijn je weer te zien! Dit heb je verdiend.").waitFor();
    await region(page, "Jouw voordeel").getByText("Je saldo: 1.480 punten.").waitFor();
    await opener(page, "Gebruik en onderhoud").click();
    await region(page, "Gebruik en onderhoud").getByRole("button", { name: "Herinner me over 45 dagen om na te bestellen" }).waitFor();
    await axe(page);
    await page.context().close();
  });
});

describe("faster delivery", () => {
  test("asked for before dispatch, confirmed by the shop with its payment link, the order's date follows", T, async () => {
    const page = await run.shopperPage();
    await page.goto(run.orderUrl("1001"));
    const arrival = widget(page).locator("[part=arrival]");
    const promised = await arrival.textContent();
    await opener(page, "Get it sooner").click();
    const sooner = region(page, "Get it sooner");
    const nextDay = sooner.getByRole("listitem").filter({ hasText: "Next day" });
    await nextDay.getByText("€4.95").waitFor();
    await nextDay.getByText(/^Arrives \d+ \w+ \d{4}$/).waitFor();
    await nextDay.getByText(/^Ask by /).waitFor();
    await axe(page);
    await nextDay.getByRole("button", { name: "Ask for it: Next day" }).click();
    await sooner.getByText("You asked for faster delivery: Next day. The shop will confirm it here.").first().waitFor();

    // The shop sees it and confirms it, with its payment link.
    const queue = await admin("/api/v1/admin/upgrades?status=requested");
    const asked = queue.body.find((u) => u.order_number === "1001");
    assert.equal(asked.kind, "next_day");
    const decided = await admin(`/api/v1/admin/upgrades/${asked.id}/decision`, {
      method: "POST",
      body: JSON.stringify({ confirm: true, pay_url: "https://pay.example/upgrade/1001" }),
    });
    assert.equal(decided.status, 200);
    await page.reload();
    await opener(page, "Get it sooner").click();
    await sooner.getByText(/^Confirmed: your order arrives \d+ \w+ \d{4}\.$/).waitFor();
    assert.equal(await sooner.getByRole("link", { name: "Pay for faster delivery" }).getAttribute("href"), "https://pay.example/upgrade/1001");
    // The order's own date follows: its head now names the upgrade's day.
    const day = String(Number(decided.body.delivery_on.slice(8)));
    const now = await arrival.textContent();
    assert.notEqual(now, promised);
    assert.match(now, new RegExp(`\\b${day}\\b`), now);
    await axe(page);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
