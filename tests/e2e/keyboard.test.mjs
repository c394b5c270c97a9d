// End-to-end: every flow by keyboard alone (Tab, Shift+Tab, arrows, Space, Enter, typing),
// with the focus visible at every stop: a delivery choice, a review, a return, the survey
// and the referral link. Nothing is clicked; `tabTo` fails when Tab never reaches a control.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { demoForTests } from "./shopper.mjs";

const T = { timeout: 90_000 };
const run = demoForTests();
const widget = (page) => page.locator("postpurchase-order");

/** The focused element's name and whether its focus is visible, through shadow roots. */
function focused(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body) return { name: "", visible: false };
    const label = el.labels?.[0]?.textContent || el.getAttribute("aria-label") || el.textContent || "";
    // The ring is the control's own, unless the control is see-through (a star of the
    // rating is a transparent radio over its label): then its label's.
    const ring = (node) => {
      const style = getComputedStyle(node);
      return style.outlineStyle !== "none" && style.outlineWidth !== "0px";
    };
    const own = getComputedStyle(el).opacity !== "0" && ring(el);
    return { name: label.trim().replace(/\s+/g, " "), visible: own || (el.labels?.[0] ? ring(el.labels[0]) : false) };
  });
}

/** Presses Tab until the focus is on a control whose name starts with `name`, checking
 * the focus ring is visible there. */
async function tabTo(page, name, max = 120) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const now = await focused(page);
    if (now.name.startsWith(name)) {
      assert.ok(now.visible, `the focus on "${now.name}" is visible`);
      return;
    }
  }
  throw new Error(`Tab never reached "${name}"`);
}

/** The focus lands on `name` (within 3 s: after a change the widget may first load what
 * it then focuses, such as a new return) and its ring is visible. */
async function expectFocus(page, name) {
  let now = await focused(page);
  for (let waited = 0; !now.name.startsWith(name) && waited < 3000; waited += 50) {
    await page.waitForTimeout(50);
    now = await focused(page);
  }
  assert.ok(now.name.startsWith(name), `focus on "${now.name}", expected "${name}"`);
  assert.ok(now.visible, `the focus on "${now.name}" is visible`);
}

describe("by keyboard alone", () => {
  test("a delivery choice: open, choose a neighbour, type, save", T, async () => {
    const page = await run.shopperPage();
    await page.goto(run.orderUrl("1002"));
    await widget(page).locator(".pp-card").waitFor();
    await tabTo(page, "Choose how to receive this parcel");
    await page.keyboard.press("Enter");
    await expectFocus(page, "At a time that suits me");
    await page.keyboard.press("ArrowDown");
    await expectFocus(page, "With a neighbour");
    await tabTo(page, "Neighbour's name");
    await page.keyboard.type("Jan");
    await page.keyboard.press("Tab");
    await expectFocus(page, "Neighbour's house number");
    await page.keyboard.type("12");
    await page.keyboard.press("Enter");
    await widget(page).getByText("Saved: With Jan at number 12").first().waitFor();
    // The keyboard lands on "Change".
    await expectFocus(page, "Change");
    await page.context().close();
  });

  test("a review: stars by arrows, title, text, send", T, async () => {
    const page = await run.shopperPage();
    await page.goto(run.orderUrl("1004"));
    await widget(page).getByRole("group", { name: "Your rating" }).first().waitFor();
    await tabTo(page, "1 star");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    await expectFocus(page, "4 stars");
    await tabTo(page, "Title");
    await page.keyboard.type("Keyboard-made");
    await page.keyboard.press("Tab");
    await expectFocus(page, "Your review");
    await page.keyboard.type("Every step without a mouse.");
    await tabTo(page, "Send");
    await page.keyboard.press("Enter");
    await widget(page).getByText("Keyboard-made").waitFor();
    await widget(page).getByText("Verified buyer").first().waitFor();
    await page.context().close();
  });

  test("a return: open the module, five steps, confirm", T, async () => {
    const page = await run.shopperPage();
    await page.goto(run.orderUrl("1004"));
    await widget(page).locator(".pp-card").waitFor();
    await tabTo(page, "Return an item");
    await page.keyboard.press("Enter");
    await widget(page).getByRole("button", { name: "Start a return" }).waitFor();
    await tabTo(page, "Start a return");
    await page.keyboard.press("Enter");
    // The keyboard is on the first step's first item: ticked with the space bar.
    await expectFocus(page, "Gooseneck kettle");
    await page.keyboard.press("Space");
    await tabTo(page, "Next");
    await page.keyboard.press("Enter");
    await expectFocus(page, "Why are you returning");
    await page.keyboard.press("ArrowDown");
    await tabTo(page, "Next");
    await page.keyboard.press("Enter");
    await expectFocus(page, "Money back");
    await page.keyboard.press("ArrowDown");
    await expectFocus(page, "Store credit");
    await tabTo(page, "Next");
    await page.keyboard.press("Enter");
    await expectFocus(page, "Hand it in");
    await page.keyboard.press("Space");
    await tabTo(page, "Next");
    await page.keyboard.press("Enter");
    await tabTo(page, "Confirm return");
    await page.keyboard.press("Enter");
    await widget(page).getByText(/^Return 1004-R\d is registered\.$/).first().waitFor();
    await expectFocus(page, "Return 1004-R");
    await page.context().close();
  });

  test("the survey and the referral link", T, async () => {
    const page = await run.shopperPage({ permissions: ["clipboard-read", "clipboard-write"] });
    await page.goto(run.orderUrl("1003"));
    await widget(page).locator(".pp-card").waitFor();
    await tabTo(page, "Copy link");
    await page.keyboard.press("Enter");
    await widget(page).getByText("Link copied").waitFor();
    await tabTo(page, "Quick questions");
    await page.keyboard.press("Enter");
    await widget(page).getByRole("group", { name: /recommend/ }).waitFor();
    await tabTo(page, "0");
    for (let i = 0; i < 8; i++) await page.keyboard.press("ArrowRight");
    await expectFocus(page, "8");
    await tabTo(page, "Send");
    await page.keyboard.press("Enter");
    await widget(page).getByText("Thank you!").first().waitFor();
    await page.context().close();
  });
});
