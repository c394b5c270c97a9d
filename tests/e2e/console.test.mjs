// The merchants' console, used as a merchant would: signing in, finding an order by
// e-mail, working the returns queue and the reviews and the slots, and seeing each change
// reach the shopper's widget. Roles and labels only; axe on every page; keyboard alone.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, demoForTests } from "./shopper.mjs";

const T = { timeout: 120_000 };
const OWNER = "owner@koffie-en-klei.example";
const STAFF = "staff@koffie-en-klei.example";
const PASSWORD = "koffie-en-klei";

const run = demoForTests();

/** The capability token of a demo order, as its storefront page embeds it. */
async function tokenOf(number) {
  const html = await (await fetch(`${run.demo.shop}/?order=${number}`)).text();
  return html.match(/data-order="([^"]+)"/)[1];
}

/** A shopper's request to the API for order `number`, as the widget makes it. */
async function shopper(number, path, init = {}) {
  const token = await tokenOf(number);
  const response = await fetch(`${run.demo.api}/api/v1/shops/demo/orders/${token}${path}`, {
    ...init,
    headers: { "content-type": "application/json", origin: run.demo.shop, ...(init.headers || {}) },
  });
  return response.json();
}

async function signIn(page, email = OWNER) {
  await page.goto(`${run.demo.api}/admin/`);
  await page.getByRole("heading", { name: "Sign in to your shop" }).waitFor();
  await page.getByLabel("Shop", { exact: true }).fill("demo");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
}

async function axe(page) {
  assert.deepEqual(await axeViolations(page), []);
}

describe("the console", () => {
  test("a merchant signs in and finds an order by e-mail", T, async () => {
    const page = await run.shopperPage();
    await signIn(page);
    await axe(page);
    await page.getByLabel("Search orders").fill("noor.dekker@example.net");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByRole("table").getByText("1 orders found").waitFor();
    await page.getByRole("link", { name: "1003" }).click();
    await page.getByRole("heading", { name: "Order 1003", level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Customer" }).waitFor();
    await page.getByText("noor.dekker@example.net").waitFor();
    await axe(page);
    // Back: the search is still there.
    await page.getByRole("link", { name: "All orders" }).click();
    assert.equal(await page.getByLabel("Search orders").inputValue(), "noor.dekker@example.net");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("a wrong password is said plainly, and nothing opens", T, async () => {
    const page = await run.shopperPage();
    await page.goto(`${run.demo.api}/admin/`);
    await page.getByLabel("Shop", { exact: true }).fill("demo");
    await page.getByLabel("E-mail").fill(STAFF);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("That shop, e-mail and password do not match an account.").waitFor();
    await axe(page);
    await page.context().close();
  });

  test("a return approved in the console shows in the shopper's widget", T, async () => {
    const options = await shopper("1004", "/returns");
    const line = options.lines.find((l) => l.quantity > 0);
    const made = await shopper("1004", "/returns", {
      method: "POST",
      body: JSON.stringify({ items: [{ line_id: line.line_id, quantity: 1, reason: options.reasons[0] }], resolution: "refund", method: "drop_off" }),
    });
    assert.ok(made.number, JSON.stringify(made));
    const page = await run.shopperPage();
    await signIn(page);
    await page.getByRole("link", { name: "Returns" }).click();
    const card = page.getByRole("article", { name: new RegExp(`Return ${made.number}`) });
    await card.getByText("Requested").waitFor();
    await axe(page);
    await card.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
    // The queue shows what is requested: the approved one has left it.
    await card.waitFor({ state: "detached" });
    const shopperView = await run.shopperPage();
    await shopperView.goto(run.orderUrl("1004"));
    await shopperView.locator("postpurchase-order").getByRole("button", { name: "Return an item", exact: true }).click();
    const returns = shopperView.locator("postpurchase-order").getByRole("region", { name: "Return an item" });
    await returns.getByRole("heading", { name: `Return ${made.number}` }).waitFor();
    await returns.getByText("Approved").first().waitFor();
    await shopperView.context().close();
    await page.context().close();
  });

  test("a review published and answered in the console shows under it in the widget", T, async () => {
    const items = await shopper("1004", "/reviews");
    const item = items.find((i) => !i.review && i.delivered);
    const written = await shopper("1004", "/reviews", {
      method: "POST",
      body: JSON.stringify({ line_id: item.line_id, stars: 5, title: "Lovely mug", body: "Holds the heat." }),
    });
    assert.ok(written.some((i) => i.review?.title === "Lovely mug"), JSON.stringify(written));
    const page = await run.shopperPage();
    await signIn(page, STAFF);
    await page.getByRole("link", { name: "Reviews" }).click();
    const card = page.getByRole("article", { name: "Lovely mug" });
    await card.getByRole("button", { name: "Publish" }).click();
    await card.getByText("Published", { exact: true }).waitFor();
    await card.getByLabel("Public answer").fill("Thank you, enjoy it!");
    await card.getByRole("button", { name: "Save answer" }).click();
    await card.getByRole("button", { name: "Remove answer" }).waitFor();
    await axe(page);
    const shopperView = await run.shopperPage();
    await shopperView.goto(run.orderUrl("1004"));
    const reviews = shopperView.locator("postpurchase-order").getByRole("region", { name: "Review your items" });
    await reviews.getByText("Published by the shop.").first().waitFor();
    await reviews.getByText("The shop's answer").waitFor();
    await reviews.getByText("Thank you, enjoy it!").waitFor();
    await shopperView.context().close();
    await page.context().close();
  });

  test("staff see no staff page; a session is dead after signing out", T, async () => {
    const page = await run.shopperPage();
    await signIn(page, STAFF);
    assert.equal(await page.getByRole("link", { name: "Staff" }).count(), 0);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "pp_session");
    assert.ok(session.httpOnly);
    assert.equal(session.sameSite, "Strict");
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("heading", { name: "Sign in to your shop" }).waitFor();
    const stolen = await fetch(`${run.demo.api}/api/v1/console/session`, { headers: { cookie: `pp_session=${session.value}` } });
    assert.equal(stolen.status, 401);
    await page.context().close();
  });
});
