// End-to-end: axe-core on every state of the widget — loading, each failure, the order with
// its parcels, every step of a return with its errors showing, the survey with its errors,
// the referral — and the widget usable at 200% zoom without sideways scrolling.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, demoForTests } from "./shopper.mjs";

const T = { timeout: 90_000 };
const run = demoForTests();
const widget = (page) => page.locator("postpurchase-order");
const api = (url) => url.pathname.startsWith("/api/v1/shops/");

async function clean(page, state) {
  assert.deepEqual(await axeViolations(page), [], state);
}

describe("axe on every state", () => {
  test("loading, the API down, an unknown order", T, async () => {
    const page = await run.shopperPage();
    await page.route(api, () => { /* hangs: the skeleton stays */ });
    await page.goto(run.orderUrl("1001"));
    await widget(page).getByRole("status").first().waitFor();
    await clean(page, "loading");
    await page.unroute(api);
    await page.route(api, (route) => route.abort("connectionrefused"));
    await page.reload();
    await widget(page).getByRole("alert").waitFor({ timeout: 10_000 });
    await clean(page, "API down");
    await page.unroute(api);
    await page.route(api, (route) => route.fulfill({ status: 404, contentType: "application/json", body: '{"error":{"code":"order_not_found","message":"No such order."}}' }));
    await page.reload();
    await widget(page).getByRole("alert").filter({ hasText: "couldn't find" }).waitFor();
    await clean(page, "not found");
    await page.context().close();
  });

  test("an order with parcels, every step of a return with its errors, the survey and the referral", T, async () => {
    const page = await run.shopperPage();
    await page.goto(run.orderUrl("1005"));
    await widget(page).locator(".pp-parcel").first().waitFor();
    await page.locator("postpurchase-order").getByText("All updates").first().click();
    await clean(page, "parcels, history open");

    await widget(page).getByRole("button", { name: "Return an item", exact: true }).click();
    const returns = widget(page).getByRole("region", { name: "Return an item" });
    await returns.getByRole("button", { name: "Start a return" }).click();
    for (let step = 1; step <= 4; step++) {
      // Next without answers: the step's errors show.
      await returns.getByRole("button", { name: "Next" }).filter({ visible: true }).click();
      await clean(page, `return step ${step}, errors showing`);
      if (step === 1) await returns.getByRole("checkbox").filter({ visible: true }).first().check();
      if (step === 2) await returns.locator("select").filter({ visible: true }).first().selectOption({ index: 1 });
      if (step >= 3) await returns.getByRole("radio").filter({ visible: true }).first().check();
      await returns.getByRole("button", { name: "Next" }).filter({ visible: true }).click();
    }
    await returns.getByRole("button", { name: "Confirm return" }).waitFor();
    await clean(page, "return summary");

    await widget(page).getByRole("button", { name: "Quick questions", exact: true }).click();
    const survey = widget(page).getByRole("region", { name: "Quick questions" });
    await survey.getByRole("button", { name: "Send" }).first().click();
    await survey.getByText("Please choose one.").first().waitFor();
    await clean(page, "survey, errors showing");

    await widget(page).getByRole("button", { name: "Invite a friend", exact: true }).click();
    await widget(page).getByRole("region", { name: "Invite a friend" }).getByText(/^Your code /).waitFor();
    await clean(page, "referral");
    await page.context().close();
  });
});

describe("zoom and small screens", () => {
  test("at 200% zoom (a 640-pixel-wide window shown at twice the size) nothing scrolls sideways", T, async () => {
    const page = await run.shopperPage({ viewport: { width: 640, height: 800 }, deviceScaleFactor: 2 });
    await page.goto(run.orderUrl("1002"));
    await widget(page).locator(".pp-parcel").first().waitFor();
    await page.evaluate(() => { document.documentElement.style.zoom = "2"; });
    const sideways = () => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
    const overflow = () => widget(page).evaluate((host) => {
      const card = host.shadowRoot.querySelector(".pp-card").getBoundingClientRect();
      return [...host.shadowRoot.querySelectorAll(".pp-card *")]
        .filter((el) => el.getBoundingClientRect().right > card.right + 1)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    });
    assert.deepEqual(await overflow(), [], "order");
    await widget(page).getByRole("button", { name: "Choose how to receive this parcel" }).first().click();
    assert.deepEqual(await overflow(), [], "choice form");
    await widget(page).getByRole("button", { name: "Quick questions", exact: true }).click();
    await widget(page).getByRole("region", { name: "Quick questions" }).getByRole("button").first().waitFor();
    assert.deepEqual(await overflow(), [], "survey");
    assert.equal(await sideways(), false);
    await page.context().close();
  });
});
