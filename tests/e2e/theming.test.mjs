// End-to-end: the widget's looks. The presets keep every text readable (axe's contrast
// check included), reduced motion stops the skeleton's pulse, and the theme playground
// changes the widget live and writes the CSS to copy.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, demoForTests, presetBeforeMount } from "./shopper.mjs";

const T = { timeout: 60_000 };
const run = demoForTests();
const widget = (page) => page.locator("postpurchase-order");

/** The storefront page for `order` with `theme` set on the widget before it mounts. */
async function themed(page, order, theme) {
  await presetBeforeMount(page, theme);
  await page.goto(run.orderUrl(order));
  await widget(page).locator(".pp-card").waitFor();
}

describe("presets", () => {
  for (const [theme, scheme] of [["light", "light"], ["dark", "light"], ["auto", "dark"]]) {
    test(`${theme} (system ${scheme}): no violations, contrast included, in the order and its modules`, T, async () => {
      const page = await run.shopperPage({ colorScheme: scheme });
      await themed(page, "1004", theme);
      const background = await widget(page).locator(".pp-card").evaluate((c) => getComputedStyle(c).backgroundColor);
      const dark = theme === "dark" || (theme === "auto" && scheme === "dark");
      assert.equal(background, dark ? "rgb(28, 29, 27)" : "rgb(255, 255, 255)");
      assert.deepEqual(await axeViolations(page), [], "order");
      // A module open, and a form with its errors showing.
      const reviews = widget(page).getByRole("region", { name: "Review your items" });
      await reviews.getByRole("button", { name: "Send" }).first().click();
      await reviews.getByText("Please choose one.").first().waitFor();
      assert.deepEqual(await axeViolations(page), [], "review errors");
      await page.context().close();
    });
  }

  test("a shop's own values win over a preset", T, async () => {
    const page = await run.shopperPage();
    await themed(page, "1004", "dark");
    await page.addStyleTag({ content: "postpurchase-order { --pp-background: #003366; }" });
    const background = await widget(page).locator(".pp-card").evaluate((c) => getComputedStyle(c).backgroundColor);
    assert.equal(background, "rgb(0, 51, 102)");
    await page.context().close();
  });

  test("the weights, the heading size, the status colour and the form's parts are the designer's", T, async () => {
    const page = await run.shopperPage();
    await themed(page, "1004", "light");
    await page.addStyleTag({ content: `
      postpurchase-order { --pp-strong-weight: 800; --pp-heading-size: 1.25em; --pp-status: rgb(1, 2, 3); }
      postpurchase-order::part(input) { border-color: rgb(4, 5, 6); }
      postpurchase-order::part(label) { color: rgb(7, 8, 9); }
      postpurchase-order::part(field-error) { color: rgb(10, 11, 12); }
      postpurchase-order::part(notice) { color: rgb(13, 14, 15); }` });
    const style = (locator, property) => locator.evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);
    const card = widget(page);
    assert.equal(await style(card.getByText("Your order has been delivered."), "font-weight"), "800");
    const heading = card.getByRole("heading", { name: "Your items", exact: true });
    assert.equal(await style(heading, "font-size"), "20px");
    // The status line (after the progress bar's last milestone), and the milestones reached.
    assert.equal(await style(card.getByText("Delivered", { exact: true }).nth(1), "color"), "rgb(1, 2, 3)");
    const reached = card.getByRole("list", { name: "How far it has come" }).getByRole("listitem").first();
    assert.equal(await style(reached, "border-top-color"), "rgb(1, 2, 3)");
    // A review form with its errors showing: every field, label, error and notice is a part.
    const reviews = card.getByRole("region", { name: "Review your items" });
    await reviews.getByRole("button", { name: "Send" }).first().click();
    await reviews.getByText("Please choose one.").first().waitFor();
    assert.equal(await style(reviews.getByRole("textbox").first(), "border-top-color"), "rgb(4, 5, 6)");
    assert.equal(await style(reviews.getByText("Your review", { exact: true }).first(), "color"), "rgb(7, 8, 9)");
    assert.equal(await style(reviews.getByText("Please choose one.").first(), "color"), "rgb(10, 11, 12)");
    // The status line is empty (so not shown) until there is something to say.
    assert.equal(await style(reviews.locator("[part=notice]").first(), "color"), "rgb(13, 14, 15)");
    await page.context().close();
  });

  test("reduced motion stops the skeleton's pulse", T, async () => {
    const page = await run.shopperPage({ reducedMotion: "reduce" });
    await page.route("**/api/v1/shops/**", () => { /* never answers: the skeleton stays */ });
    await page.goto(run.orderUrl("1001"));
    const bone = widget(page).locator(".pp-bone").first();
    await bone.waitFor();
    assert.equal(await bone.evaluate((b) => getComputedStyle(b).animationName), "none");
    await page.context().close();
  });
});

describe("the theme playground", () => {
  test("a designer changes the accent and the preset, sees the widget follow, and copies the CSS", T, async () => {
    const page = await run.shopperPage({ permissions: ["clipboard-read", "clipboard-write"] });
    await page.goto(`${run.demo.shop}/theme`);
    const accent = page.getByLabel("--pp-accent", { exact: true });
    await accent.waitFor();
    // Every variable of the stylesheet has its field.
    assert.ok((await page.locator("#theme-form input").count()) >= 20);
    // Each field starts at the variable's real default; colours get a colour picker.
    assert.equal(await accent.inputValue(), "#2f5d3a");
    assert.equal(await accent.getAttribute("type"), "color");
    assert.equal(await page.getByLabel("--pp-radius", { exact: true }).inputValue(), "12px");
    assert.equal(await page.getByLabel("--pp-font-size", { exact: true }).inputValue(), "16px");
    assert.match(await page.getByLabel("--pp-heading-font", { exact: true }).inputValue(), /^system-ui,/);
    await accent.fill("#aa0055");
    const button = widget(page).getByRole("button", { name: "Choose how to receive this parcel" }).first();
    assert.equal(await button.evaluate((b) => getComputedStyle(b).backgroundColor), "rgb(170, 0, 85)");
    await page.getByLabel("--pp-radius", { exact: true }).fill("2px");
    await page.getByLabel("Preset").selectOption("dark");
    assert.equal(await widget(page).getAttribute("theme"), "dark");
    // The fields left alone show the dark preset's values; the changed one keeps its own.
    assert.equal(await page.getByLabel("--pp-background", { exact: true }).inputValue(), "#1c1d1b");
    assert.equal(await accent.inputValue(), "#aa0055");
    const css = await page.getByLabel("Your CSS").inputValue();
    assert.match(css, /--pp-accent: #aa0055;/);
    assert.match(css, /--pp-radius: 2px;/);
    assert.match(css, /data-theme="dark"/);
    await page.getByRole("button", { name: "Copy CSS" }).click();
    await page.getByRole("status").filter({ hasText: "CSS copied." }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), css);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
