// Checks that the OpenAPI document says exactly what the server does: schemathesis
// (installed by scripts/setup.sh into target/schemathesis) generates requests from the
// document, valid and invalid, and checks every answer: no 5xx, no status the document
// does not list, no body outside its schema, no schema-valid request refused (where a
// static schema can say the rule: tests/api/schemathesis.toml lists the exceptions).
//
// Runs against the demo (SQLite, a fresh data folder) with limits high enough not to
// answer every request 429, on an order of the demo shop set up through the API the way
// a merchant's and a shopper's calls would: a delivered order with a return and a review,
// a parcel on its way for delivery choices, and a request to cancel the order still processing.
//
//   node tests/api/schemathesis.mjs [SECONDS]   (default 150: the run is time-boxed)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { startDemo } from "../e2e/demo-server.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
const seconds = Number(process.argv[2] ?? 150);
const key = randomBytes(24).toString("hex");
const plenty = ["--shopper-reads", "100000/s", "--shopper-writes", "100000/s", "--admin", "100000/s",
  "--failures", "100000/s", "--choice-changes-per-hour", "1000000"];
const demo = await startDemo({ extraArgs: plenty, env: { PP_DEMO_API_KEY: key } });

async function call(method, path, body, headers = {}) {
  const response = await fetch(`${demo.api}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
const admin = (method, path, body) =>
  call(method, `/api/v1/admin${path}`, body, { authorization: `Bearer ${key}` });

let status = 1;
try {
  // The delivered order (1004): returns and reviews are open.
  const { token } = await admin("POST", "/orders/1004/tokens", {});
  const order = `/api/v1/shops/demo/orders/${token}`;
  const options = await call("GET", `${order}/returns`);
  const line = options.lines.find((l) => !l.reason);
  const made = await call("POST", `${order}/returns`, {
    items: [{ line_id: line.line_id, quantity: 1, reason: options.reasons[0] }],
    resolution: "refund",
    method: "drop_off",
  });
  const items = await call("GET", `${order}/reviews`);
  await call("POST", `${order}/reviews`, {
    line_id: items[0].line_id, stars: 4, title: "Pours well", body: "A steady stream.",
  });
  const [review] = await admin("GET", "/reviews?status=pending");
  // A parcel on its way (1002), for delivery choices.
  const moving = await admin("POST", "/orders/1002/tokens", {});
  const view = await call("GET", `/api/v1/shops/demo/orders/${moving.token}`);
  const parcel = view.shipments[0];
  // A change request on the order still processing (1001), for the shop's answer.
  const waiting = await admin("POST", "/orders/1001/tokens", {});
  await call("POST", `/api/v1/shops/demo/orders/${waiting.token}/changes`, { kind: "cancel" },
    { "idempotency-key": "schemathesis-change" });
  const [change] = await admin("GET", "/changes?status=requested");
  // A request for faster delivery on the same order, for the shop's answer.
  await call("POST", `/api/v1/shops/demo/orders/${waiting.token}/upgrade`, { kind: "next_day" },
    { "idempotency-key": "schemathesis-upgrade" });
  const [upgrade] = await admin("GET", "/upgrades?status=requested");

  const st = spawn(
    join(ROOT, "target/schemathesis/bin/st"),
    ["--config-file", join(ROOT, "tests/api/schemathesis.toml"), "run", `${demo.api}/api/v1/openapi.json`,
      "--max-time", String(seconds), "--seed", process.env.PP_ST_SEED ?? "1"],
    {
      stdio: "inherit",
      env: {
        ...process.env,
        PP_ST_KEY: key,
        PP_ST_TOKEN: token,
        PP_ST_RETURN: made.number,
        PP_ST_REVIEW: String(review.review.id),
        PP_ST_CHOICE_TOKEN: moving.token,
        PP_ST_SHIPMENT: String(parcel.id),
        PP_ST_CARRIER: parcel.carrier,
        PP_ST_TRACKING: parcel.tracking_number,
        PP_ST_CHANGE: change.change,
        PP_ST_CHANGE_TOKEN: waiting.token,
        PP_ST_UPGRADE: String(upgrade.id),
      },
    },
  );
  status = await new Promise((ok) => st.once("exit", (code) => ok(code ?? 1)));
} catch (error) {
  console.error(`schemathesis: ${error.message}\n${demo.output()}`);
} finally {
  await demo.stop();
}
process.exit(status);
