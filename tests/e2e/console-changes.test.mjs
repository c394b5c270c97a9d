// Changes before shipping in the merchants' console: the owner lets shoppers ask, a
// shopper asks (through the shopper API, as the widget does), and the shop answers in the
// Changes queue or on the order's page; the shopper's view follows. Roles and labels
// only; axe on every new page.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, demoForTests } from "./shopper.mjs";

const T = { timeout: 120_000 };
const OWNER = "owner@koffie-en-klei.example";
const PASSWORD = "koffie-en-klei";
const KEY = "e2e-console-changes-key-0123456789";
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

/** A new order without parcels, as the shop's checkout sends it; its shopper's token. */
async function newOrder(number) {
  const made = await admin("POST", "/orders", {
    number,
    currency: "EUR",
    customer: { email: `${number.toLowerCase()}@example.net`, first_name: "Sam", last_name: "Visser" },
    items: [{ sku: "MUG", name: "Stoneware mug", quantity: 1, unit_price: 2400 }],
    delivery_address: { name: "Sam Visser", street: "Keizersgracht 1", postcode: "1015 CJ", city: "Amsterdam", country: "NL" },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  return made.body.access.token;
}

/** The shopper's API for the order with `token`, as the widget calls it. */
async function shopper(token, path = "", init = {}) {
  const response = await fetch(`${run.demo.api}/api/v1/shops/demo/orders/${token}${path}`, {
    ...init,
    headers: { "content-type": "application/json", origin: run.demo.shop, ...(init.headers || {}) },
  });
  return { status: response.status, body: await response.json() };
}

/** The shopper asks to change the order (once, whatever the retries). */
async function ask(token, change) {
  const asked = await shopper(token, "/changes", {
    method: "POST",
    body: JSON.stringify(change),
    headers: { "idempotency-key": `e2e-${token.slice(0, 8)}-${change.kind}` },
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  assert.equal(asked.body.status, "requested");
}

async function signIn(page) {
  await page.goto(`${run.demo.api}/admin/`);
  await page.getByLabel("Shop", { exact: true }).fill("demo");
  await page.getByLabel("E-mail").fill(OWNER);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
}

async function axe(page) {
  assert.deepEqual(await axeViolations(page), []);
}

describe("changes before shipping, in the console", () => {
  test("the owner lets shoppers ask; a request refused in the queue and one accepted on the order's page reach the shopper", T, async () => {
    const page = await run.shopperPage();
    await signIn(page);

    // The terms: both kinds, until picking starts.
    await page.getByRole("link", { name: "Settings" }).click();
    const terms = page.getByRole("region", { name: "Changes before shipping" });
    await terms.getByLabel("Shoppers may ask to cancel").check();
    await terms.getByLabel("Shoppers may ask to change the delivery address").check();
    await terms.getByLabel("Minutes after ordering they may ask").fill("");
    await terms.getByRole("button", { name: "Save" }).click();
    await terms.getByRole("status").getByText("Saved.").waitFor();
    assert.deepEqual((await admin("GET", "/change-settings")).body, { cancel: true, address: true, window_minutes: null });
    await axe(page);

    const refused = await newOrder("E2E-C1");
    const accepted = await newOrder("E2E-C2");
    const moved = await newOrder("E2E-C3");
    await ask(refused, { kind: "cancel" });
    await ask(accepted, { kind: "cancel" });
    await ask(moved, { kind: "address", address: { name: "Sam Visser", street: "Prinsengracht", house_number: "263a", postcode: "1016gv", city: "Amsterdam" } });

    // The queue: what waits, the new address written out in full.
    await page.getByRole("link", { name: "Changes", exact: true }).click();
    await page.getByRole("heading", { name: "Changes", level: 1 }).waitFor();
    const address = page.getByRole("article", { name: "New delivery address of order E2E-C3" });
    await address.getByText("Waiting").waitFor();
    await address.getByText("Prinsengracht 263A").waitFor();
    await address.getByText("1016 GV Amsterdam").waitFor();
    await address.getByText(/Asked by Sam \(e2e-c3@example\.net\)/).waitFor();
    await axe(page);

    // Refused with words for the shopper: the row says so, and so does the shopper's view.
    const first = page.getByRole("article", { name: "Cancellation of order E2E-C1" });
    await first.getByLabel("Message to the shopper (optional)").fill("We packed it already, sorry.");
    await first.getByRole("button", { name: "Refuse" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
    await first.getByText("Refused").waitFor();
    await first.getByText("Said to the shopper: “We packed it already, sorry.”").waitFor();
    assert.equal(await first.getByRole("button", { name: "Accept" }).count(), 0);
    // The buttons are gone: the keyboard goes on from the request's heading.
    await page.waitForFunction(() => document.activeElement?.id?.startsWith("change-"));
    const seen = (await shopper(refused)).body.changes.request;
    assert.equal(seen.status, "refused");
    assert.equal(seen.message, "We packed it already, sorry.");
    await axe(page);

    // Accepted on the order's page: the order is cancelled.
    await page.getByRole("link", { name: "of order E2E-C2" }).click();
    await page.getByRole("heading", { name: "Order E2E-C2", level: 1 }).waitFor();
    const section = page.getByRole("region", { name: "Changes", exact: true });
    const request = section.getByRole("article", { name: "Cancellation" });
    await request.getByText("Waiting").waitFor();
    await axe(page);
    await request.getByRole("button", { name: "Accept" }).click();
    await request.getByText("Accepted").waitFor();
    await page.getByText(/^Cancelled ·/).waitFor();
    assert.equal((await shopper(accepted)).body.stage, "cancelled");
    assert.equal((await shopper(accepted)).body.changes.request.status, "accepted");
    // A cancelled order is not picked.
    assert.equal(await section.getByRole("button", { name: "Picking started" }).count(), 0);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("picking started closes asking; a request answered elsewhere first is said plainly", T, async () => {
    await admin("PUT", "/change-settings", { cancel: true, address: true, window_minutes: null });
    const token = await newOrder("E2E-C4");
    const elsewhere = await newOrder("E2E-C5");
    await ask(elsewhere, { kind: "cancel" });
    const page = await run.shopperPage();
    await signIn(page);
    await page.goto(`${run.demo.api}/admin/#/orders/E2E-C4`);
    await page.getByRole("heading", { name: "Order E2E-C4", level: 1 }).waitFor();
    const section = page.getByRole("region", { name: "Changes", exact: true });
    await section.getByText("Shoppers may ask to change this order until you start picking.").waitFor();
    await section.getByText("No change requests here.").waitFor();
    const picking = section.getByRole("button", { name: "Picking started" });
    // The button says what it does.
    assert.equal(await picking.getAttribute("aria-describedby"), "picking-hint");
    assert.equal(await page.locator("#picking-hint").textContent(), "Shoppers can no longer ask to change this order.");
    await axe(page);
    await picking.click();
    await page.getByRole("status").getByText("Noted: shoppers can no longer ask to change this order.").waitFor();
    await section.getByText("Shoppers may ask to change this order until you start picking.").waitFor({ state: "detached" });
    // The shopper's view offers nothing to ask any more.
    const view = (await shopper(token)).body.changes ?? {};
    assert.ok(!view.cancel && !view.address, JSON.stringify(view));
    const late = await shopper(token, "/changes", { method: "POST", body: JSON.stringify({ kind: "cancel" }), headers: { "idempotency-key": "e2e-late" } });
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, "change_closed");

    // Answered through the API while the console still shows it waiting.
    await page.getByRole("link", { name: "Changes", exact: true }).click();
    const card = page.getByRole("article", { name: "Cancellation of order E2E-C5" });
    await card.getByText("Waiting").waitFor();
    const [queued] = (await admin("GET", "/changes?status=requested")).body.filter((c) => c.order_number === "E2E-C5");
    assert.equal((await admin("POST", `/changes/${queued.change}/decision`, { accept: false })).status, 200);
    await card.getByRole("button", { name: "Accept" }).click();
    await page.getByRole("alert").getByText("This request has already been answered.").waitFor();
    // The queue shows what still waits: that one has left it.
    await card.waitFor({ state: "detached" });
    assert.equal((await shopper(elsewhere)).body.changes.request.status, "refused");
    await axe(page);
    await page.context().close();
  });
});
