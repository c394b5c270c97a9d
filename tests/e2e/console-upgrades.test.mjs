// Faster delivery in the merchants' console: the owner sets what the shop offers before
// dispatch, a shopper asks for next-day delivery (through the shopper API, as the widget
// does), and the shop confirms it with its own payment link; the shopper's view follows.
// Roles and labels only; axe on the page.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, demoForTests } from "./shopper.mjs";

const T = { timeout: 120_000 };
const OWNER = "owner@koffie-en-klei.example";
const PASSWORD = "koffie-en-klei";
const KEY = "e2e-console-upgrades-key-0123456789";
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

/** The shopper's API for the order with `token`, as the widget calls it. */
async function shopper(token, path = "", init = {}) {
  const response = await fetch(`${run.demo.api}/api/v1/shops/demo/orders/${token}${path}`, {
    ...init,
    headers: { "content-type": "application/json", origin: run.demo.shop, ...(init.headers || {}) },
  });
  return { status: response.status, body: await response.json() };
}

async function signIn(page) {
  await page.goto(`${run.demo.api}/admin/`);
  await page.getByLabel("Shop", { exact: true }).fill("demo");
  await page.getByLabel("E-mail").fill(OWNER);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
}

describe("faster delivery, in the console", () => {
  test("the owner offers same-day delivery too, and confirms a shopper's next-day request with a payment link", T, async () => {
    const page = await run.shopperPage();
    await signIn(page);
    await page.getByRole("link", { name: "Faster delivery" }).click();
    await page.getByRole("heading", { name: "Faster delivery", level: 1 }).waitFor();

    // The demo's offers are shown; same day is added.
    const offers = page.getByRole("region", { name: "What you offer before dispatch" });
    const nextDay = offers.getByRole("group", { name: "Next day" });
    assert.equal(await nextDay.getByLabel("Offer it").isChecked(), true);
    assert.equal(await nextDay.getByLabel("Price").inputValue(), "4.95");
    const sameDay = offers.getByRole("group", { name: "Same day" });
    await sameDay.getByLabel("Offer it").check();
    await sameDay.getByLabel("Price").fill("9,50");
    await sameDay.getByLabel("Order by (your time)").fill("11:00");
    await sameDay.getByLabel("Orders a day").fill("5");
    await offers.getByRole("button", { name: "Save" }).click();
    await offers.getByRole("status").getByText("Saved.").waitFor();
    const stored = (await admin("GET", "/upgrade-settings")).body.offers;
    assert.deepEqual(stored.map((o) => [o.kind, o.price, o.cut_off, o.daily_capacity]), [
      ["next_day", 495, "22:00", 50], ["same_day", 950, "11:00", 5], ["evening", 695, "16:00", 20],
    ]);
    assert.deepEqual(await axeViolations(page), []);

    // A shopper asks for delivery tomorrow.
    const made = await admin("POST", "/orders", {
      number: "E2E-U1",
      currency: "EUR",
      customer: { email: "e2e-u1@example.net", first_name: "Sam", last_name: "Visser" },
      items: [{ sku: "MUG", name: "Stoneware mug", quantity: 1, unit_price: 2400 }],
      delivery_address: { name: "Sam Visser", street: "Keizersgracht 1", postcode: "1015 CJ", city: "Amsterdam", country: "NL" },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const token = made.body.access.token;
    const asked = await shopper(token, "/upgrade", {
      method: "POST", body: JSON.stringify({ kind: "next_day" }), headers: { "idempotency-key": "e2e-u1" },
    });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));

    // The queue shows it waiting; confirmed with the shop's payment link.
    await page.getByRole("link", { name: "Changes", exact: true }).click();
    await page.getByRole("link", { name: "Faster delivery" }).click();
    const request = page.getByRole("article", { name: "Next day of order E2E-U1" });
    await request.getByText("Waiting").waitFor();
    await request.getByText(/Asked by Sam \(e2e-u1@example\.net\)/).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await request.getByLabel("Payment link (optional)").fill("https://pay.koffie-en-klei.example/u/1");
    await request.getByLabel("Message to the shopper (optional)").fill("On its way tomorrow.");
    await request.getByRole("button", { name: "Confirm" }).click();
    await request.getByText("Confirmed").waitFor();
    await request.getByText("Said to the shopper: “On its way tomorrow.”").waitFor();
    assert.equal(await request.getByRole("button", { name: "Refuse" }).count(), 0);
    await page.waitForFunction(() => document.activeElement?.id?.startsWith("upgrade-"));

    // The shopper sees it confirmed, and the order's promise is that day.
    const seen = (await shopper(token, "/upgrade")).body.request;
    assert.equal(seen.status, "confirmed");
    assert.equal(seen.pay_url, "https://pay.koffie-en-klei.example/u/1");
    const view = (await shopper(token)).body;
    assert.deepEqual(view.promised_delivery, { earliest: seen.delivery_on, latest: seen.delivery_on });
    assert.ok(view.modules.includes("upgrade"), JSON.stringify(view.modules));
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
