// End-to-end: a shopper asks to cancel an order still being prepared, or to fix its
// address, on the demo storefront in Debian's Chromium, by role, label and text, and by
// keyboard; the shop answers through the admin API; the storefront (the shop's webhook
// endpoint) shows the signed webhooks that went out; axe finds nothing in any state.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, demoForTests } from "./shopper.mjs";

const T = { timeout: 90_000 };
const KEY = "e2e-changes-demo-key-0123456789";

const run = demoForTests({ env: { PP_DEMO_API_KEY: KEY } });
const { shopperPage, orderUrl } = run;
const widget = (page) => page.locator("postpurchase-order");
const section = (page) => widget(page).locator("[part~=change]");

async function admin(method, path, body) {
  const response = await fetch(`${run.demo.api}/api/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The one request waiting for the shop. */
async function waiting() {
  const queue = await admin("GET", "/changes?status=requested");
  assert.equal(queue.length, 1, JSON.stringify(queue));
  return queue[0];
}

/** Waits until the shop's webhook page lists `line`. */
async function webhookArrived(line) {
  const shop = await shopperPage();
  for (let i = 0; ; i++) {
    await shop.goto(`${run.demo.shop}/merchant/webhooks`);
    const text = await shop.getByRole("main").textContent();
    if (text.includes(line)) break;
    assert.ok(i < 50, `${line} not in: ${text}`);
    await shop.waitForTimeout(100);
  }
  await shop.context().close();
}

async function noViolations(page, when) {
  assert.deepEqual(await axeViolations(page), [], when);
}

describe("changing an order before it ships", () => {
  test("a shopper asks to cancel by keyboard, the shop refuses with a reason, and later accepts a new address", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1001"));
    const change = section(page);
    await change.getByRole("button", { name: "Cancel order" }).waitFor();
    await change.getByRole("button", { name: "Change delivery address" }).waitFor();
    // Only the order still being prepared offers it.
    await noViolations(page, "offered");

    // By keyboard: to the button, open the question, answer it.
    const cancel = change.getByRole("button", { name: "Cancel order" });
    await cancel.focus();
    await page.keyboard.press("Enter");
    await change.getByText("Ask the shop to cancel this order?").waitFor();
    await noViolations(page, "asking to cancel");
    // "Keep my order" leaves everything as it was.
    await change.getByRole("button", { name: "Keep my order" }).focus();
    await page.keyboard.press("Enter");
    await change.getByRole("button", { name: "Cancel order" }).waitFor();
    await change.getByRole("button", { name: "Cancel order" }).focus();
    await page.keyboard.press("Enter");
    await change.getByRole("button", { name: "Ask to cancel" }).focus();
    await page.keyboard.press("Enter");
    await change.getByText("You asked to cancel this order. The shop will confirm it.").waitFor();
    assert.equal(await change.getByRole("button", { name: "Cancel order" }).count(), 0);
    await noViolations(page, "requested");
    await webhookArrived("order #1001 · asks to cancel: requested · signature verified");

    // The shop says no, with a reason the shopper reads (as text) on the next look.
    const asked = await waiting();
    assert.equal(asked.kind, "cancel");
    await admin("POST", `/changes/${asked.change}/decision`, { accept: false, message: "Your mugs are being <b>glazed</b>." });
    await webhookArrived("order #1001 · asks to cancel: refused · signature verified");
    await page.reload();
    await change.getByText("The shop could not cancel your order.").waitFor();
    await change.getByText("Your mugs are being <b>glazed</b>.").waitFor();
    await noViolations(page, "refused");

    // A new address: checked in place for a Dutch address before anything is sent.
    await change.getByRole("button", { name: "Change delivery address" }).click();
    await change.getByLabel("Name").fill("Sam Visser");
    await change.getByLabel("Street").fill("Prinsengracht");
    await change.getByLabel("Postcode").fill("0123 AB");
    await change.getByLabel("City").fill("Amsterdam");
    await change.getByRole("button", { name: "Ask for this address" }).click();
    await change.getByText("Enter a house number that starts with a digit, e.g. 12 or 12A.").waitFor();
    await change.getByText("Enter a valid postcode for this country.").waitFor();
    assert.equal(await change.getByLabel("Postcode").getAttribute("aria-invalid"), "true");
    await noViolations(page, "address with mistakes");
    assert.equal((await admin("GET", "/changes?status=requested")).length, 0, "nothing was sent");
    await change.getByLabel("House number").fill("263-1");
    await change.getByLabel("Postcode").fill("1016gv");
    await change.getByRole("button", { name: "Ask for this address" }).click();
    await change.getByText(/^You asked to deliver to .*Amsterdam.*\. The shop will confirm it\.$/).waitFor();

    const fix = await waiting();
    assert.deepEqual(fix.address, {
      name: "Sam Visser", street: "Prinsengracht", house_number: "263-1", postcode: "1016 GV", city: "Amsterdam", country: "NL",
    });
    await admin("POST", `/changes/${fix.change}/decision`, { accept: true });
    await page.reload();
    await change.getByText(/^Your order will go to .*Amsterdam/).waitFor();
    const record = await admin("GET", "/orders/1001");
    assert.equal(record.delivery_address.street, "Prinsengracht 263-1");
    await noViolations(page, "accepted");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("once the shop starts picking, the shopper can no longer ask, and in Dutch the words are Dutch", T, async () => {
    const { token } = await admin("POST", "/orders/1001/tokens", {});
    const page = await shopperPage({ locale: "nl-NL" });
    await page.goto(`${run.demo.api}/o/demo/${token}`);
    const change = section(page);
    await change.getByRole("button", { name: "Bestelling annuleren" }).waitFor();
    await admin("POST", "/orders/1001/picking");
    await page.reload();
    // The answer stays in sight, in Dutch; nothing more can be asked.
    await change.getByText(/^Je bestelling gaat naar .*Amsterdam/).waitFor();
    assert.equal(await change.getByRole("button").count(), 0);
    // An order already on its way never offers it.
    const moving = await admin("POST", "/orders/1002/tokens", {});
    await page.goto(`${run.demo.api}/o/demo/${moving.token}`);
    await widget(page).getByRole("heading", { name: "Pakket 1" }).waitFor();
    assert.ok(await section(page).isHidden(), "no change part on an order on its way");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
