// Products in the merchants' console: the demo's products are listed with their
// re-order days, recommendations (clicks) and waiting reminders; one is picked, changed
// and saved, a bad link is refused by the API and said field by field, and a new SKU is
// put. Roles and labels only; axe on the page.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, demoForTests } from "./shopper.mjs";

const T = { timeout: 120_000 };
const OWNER = "owner@koffie-en-klei.example";
const PASSWORD = "koffie-en-klei";
const KEY = "e2e-console-products-key-0123456789";
const run = demoForTests({ env: { PP_DEMO_API_KEY: KEY } });

/** The admin API with the shop's key, as the merchant's own systems call it. */
async function admin(method, path, body) {
  const response = await fetch(`${run.demo.api}/api/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

async function signIn(page) {
  await page.goto(`${run.demo.api}/admin/`);
  await page.getByLabel("Shop", { exact: true }).fill("demo");
  await page.getByLabel("E-mail").fill(OWNER);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
}

describe("products after delivery, in the console", () => {
  test("a product is picked, refused with a bad link, then saved; a new SKU is put", T, async () => {
    const page = await run.shopperPage();
    await signIn(page);
    await page.getByRole("link", { name: "Products" }).click();
    await page.getByRole("heading", { name: "Products", level: 1 }).waitFor();

    // The demo's beans: re-order in 30 days, two recommendations, no clicks yet.
    const beans = page.getByRole("button", { name: /^BEANS-1KG · 30 · Stoneware mug \(0\), Paper filters, 100 pcs \(0\) · 0$/ });
    await beans.waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await beans.click();
    const form = page.locator("form");
    assert.equal(await form.getByLabel("SKU").inputValue(), "BEANS-1KG");
    assert.match(await form.getByLabel(/^Care and use/).inputValue(), /^Keep the beans in their bag/);
    assert.equal(await form.getByLabel(/^Re-order reminder after days/).inputValue(), "30");
    assert.match(await form.getByLabel(/^Goes well with/).inputValue(), /^Stoneware mug \| 1450 \| EUR \| http/);

    // A link that is no web address: the API refuses it, naming the field; nothing changes.
    await form.getByLabel(/^Link to more/).fill("ftp://koffie.example/brewing");
    await form.getByRole("button", { name: "Save" }).click();
    await page.getByRole("alert").getByText(/care_url: must be an http\(s\) URL/).waitFor();
    assert.match((await admin("GET", "/products/BEANS-1KG")).body.care_url, /^http:\/\/127\.0\.0\.1/);

    // Fixed, with new words and 21 days: saved, and the list follows.
    await form.getByLabel(/^Link to more/).fill("https://koffie.example/brewing");
    await form.getByLabel(/^Care and use/).fill("Keep them airtight and dark.");
    await form.getByLabel(/^Re-order reminder after days/).fill("21");
    await form.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
    await page.getByRole("button", { name: /^BEANS-1KG · 21 · / }).waitFor();
    const stored = (await admin("GET", "/products/BEANS-1KG")).body;
    assert.equal(stored.care, "Keep them airtight and dark.");
    assert.equal(stored.care_url, "https://koffie.example/brewing");
    assert.equal(stored.reorder_days, 21);
    assert.equal(stored.pairs.length, 2, "the recommendations stay as they were");

    // A new SKU with one recommendation, typed as a line.
    await form.getByLabel("SKU").fill("DRIPPER-01");
    await form.getByLabel(/^Care and use/).fill("Rinse after use.");
    await form.getByLabel(/^Link to more/).fill("");
    await form.getByLabel(/^Re-order reminder after days/).fill("");
    await form.getByLabel(/^Goes well with/).fill("Paper filters | 595 | EUR | https://koffie.example/p/filter-100 |");
    await form.getByRole("button", { name: "Save" }).click();
    await page.getByRole("button", { name: /^DRIPPER-01 · +· Paper filters \(0\) · 0$/ }).waitFor();
    const dripper = (await admin("GET", "/products/DRIPPER-01")).body;
    assert.equal(dripper.care, "Rinse after use.");
    assert.equal(dripper.reorder_days, undefined);
    assert.equal(dripper.pairs[0].price, 595);
    assert.deepEqual(await axeViolations(page), []);
    await page.context().close();
  });
});
