// Loyalty and the unboxing in the merchants' console: the owner changes the demo's Klei
// Club and unboxing notes in Settings, a bad value is refused with the field's label in
// the message, and what was saved is what the admin API (and the shopper) get. Roles and
// labels only; axe on the page.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, demoForTests } from "./shopper.mjs";

const T = { timeout: 120_000 };
const OWNER = "owner@koffie-en-klei.example";
const PASSWORD = "koffie-en-klei";
const KEY = "e2e-console-loyalty-key-0123456789";
const run = demoForTests({ env: { PP_DEMO_API_KEY: KEY } });

/** The admin API with the shop's key, as the merchant's own systems call it. */
async function admin(path) {
  const response = await fetch(`${run.demo.api}/api/v1/admin${path}`, {
    headers: { authorization: `Bearer ${KEY}` },
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

describe("loyalty and the unboxing, in the console", () => {
  test("the owner saves the Klei Club and the unboxing notes; a bad value is named by its label", T, async () => {
    const page = await run.shopperPage();
    await signIn(page);
    await page.getByRole("link", { name: "Settings" }).click();
    const section = page.getByRole("region", { name: "Loyalty", exact: true });
    // The demo's settings, as seeded.
    const name = section.getByLabel("Programme name");
    await name.waitFor();
    assert.equal(await name.inputValue(), "Klei Club");
    assert.equal(await section.getByLabel(/^Voucher code prefix/).inputValue(), "THANKS");

    // A prefix the server refuses: the message names the field by its label.
    await section.getByLabel(/^Voucher code prefix/).fill("T");
    await section.getByRole("button", { name: "Save" }).first().click();
    await section.getByRole("alert").getByText(/Voucher code prefix, 2 to 8 letters or digits.*: must be 2 to 8 letters or digits/).waitFor();
    let saved = await admin("/loyalty-settings");
    assert.equal(saved.body.voucher.prefix, "THANKS", "nothing changed");

    // Fixed, with a new name and rate: saved as typed (the prefix upper-cased).
    await section.getByLabel(/^Voucher code prefix/).fill("merci");
    await name.fill("Klei Club Gold");
    await section.getByLabel(/^Points per whole euro/).fill("5");
    await section.getByRole("button", { name: "Save" }).first().click();
    await section.getByRole("status").getByText("Saved.").waitFor();
    saved = await admin("/loyalty-settings");
    assert.equal(saved.status, 200);
    assert.equal(saved.body.name, "Klei Club Gold");
    assert.equal(saved.body.points_per_unit, 5);
    assert.equal(saved.body.voucher.prefix, "MERCI");
    assert.equal(saved.body.voucher.reward.value, 10);

    // The unboxing: a hashtag with a space is refused, then a good one saved.
    const hashtag = section.getByLabel("Hashtag");
    assert.equal(await hashtag.inputValue(), "koffieenklei");
    await hashtag.fill("#koffie en klei");
    await section.getByRole("button", { name: "Save" }).last().click();
    await section.getByRole("alert").getByText(/Hashtag: must be 1 to 40 letters/).waitFor();
    await hashtag.fill("#kleiclub");
    await section.getByLabel("Thank-you note").fill("Thank you for shopping with us!");
    await section.getByRole("button", { name: "Save" }).last().click();
    await section.getByRole("status").getByText("Saved.").waitFor();
    const unboxing = await admin("/unboxing-settings");
    assert.equal(unboxing.body.hashtag, "kleiclub");
    assert.equal(unboxing.body.thanks, "Thank you for shopping with us!");
    assert.deepEqual(await axeViolations(page), []);
  });
});
