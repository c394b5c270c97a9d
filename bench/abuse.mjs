// The abuse figures of bench/abuse.sh, against a running server with its default limits
// (and X-Forwarded-For as the client address, so each part comes from an address of its
// own). Usage: node bench/abuse.mjs limits|attacks API_URL SERVER_PID WORK_DIR
//   limits   each limit met head on: how many requests it let through and refused
//   attacks  memory under 800 half-open requests, 64 bodies of 1.9 MB and 64 sign-ins at
//            once, and what came of them
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";

const [part, api, pid, work] = process.argv.slice(2);
const parcels = JSON.parse(readFileSync(join(work, "parcels.json"), "utf8"));
const shop = "bench";
let address = 0;
/** A client address of its own (X-Forwarded-For), so no part spends another's limits. */
const newAddress = () => `198.51.100.${++address}`;

async function send(method, path, { body, headers = {}, from } = {}) {
  const response = await fetch(api + path, {
    method,
    headers: { "content-type": "application/json", "x-forwarded-for": from, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await response.arrayBuffer();
  return { status: response.status, retry: response.headers.get("retry-after") };
}

/** "200 ×20, 429 ×80 (Retry-After 1)" */
function tally(answers) {
  const counts = new Map();
  for (const a of answers) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  const retry = answers.find((a) => a.retry)?.retry;
  return [...counts].sort().map(([s, n]) => `${s} ×${n}`).join(", ") + (retry ? ` (Retry-After ${retry} s)` : "");
}

function row(limit, sent, answers) {
  console.log(`  ${limit.padEnd(46)} ${String(sent).padStart(5)} sent: ${tally(answers)}`);
}

const view = (p) => `/api/v1/shops/${shop}/orders/${p.token}`;
const preferences = (p) => `${view(p)}/preferences`;

async function limits() {
  // The survey on, so that a shopper's contact preferences can be changed.
  await fetch(`${api}/api/v1/admin/survey-settings`, {
    method: "PUT", body: JSON.stringify({ enabled: true, heard_options: [] }),
    headers: { authorization: `Bearer ${process.env.BENCH_KEY}`, "content-type": "application/json", "x-forwarded-for": newAddress() },
  });
  console.log("  limit (default)                                 requests   answers");
  // Reads per token: 100 at once on one token.
  let from = newAddress();
  row("order views per token (20/s)", 100,
    await Promise.all(Array.from({ length: 100 }, () => send("GET", view(parcels[0]), { from }))));
  // Changes per token: 60 at once on one token.
  from = newAddress();
  row("changes per token (30/min)", 60, await Promise.all(Array.from({ length: 60 }, (_, i) =>
    send("POST", preferences(parcels[1]), { body: { email: i % 2 === 0, sms: false }, from }))));
  // Choice changes per parcel and hour: 15 in a row on one parcel.
  from = newAddress();
  const choices = [];
  for (let i = 0; i < 15; i++) {
    const p = parcels[2];
    choices.push(await send("POST", `${view(p)}/shipments/${p.id}/choice`, {
      body: { choice: { kind: "neighbour", neighbour: { name: `Neighbour ${i}`, house_number: `${i + 1}` } } },
      headers: { "if-match": "*" }, from,
    }));
  }
  row("choice changes per parcel (10/h)", 15, choices);
  // Requests per admin key: 300 at once.
  from = newAddress();
  row("requests per admin key (100/s)", 300, await Promise.all(Array.from({ length: 300 }, () =>
    send("GET", "/api/v1/admin/shop", { headers: { authorization: `Bearer ${process.env.BENCH_KEY}` }, from }))));
  // Failures per address: guessed tokens, then a good one from the same address and
  // from another.
  from = newAddress();
  const guesses = [];
  for (let i = 0; i < 100; i++) {
    guesses.push(await send("GET", `/api/v1/shops/${shop}/orders/guess${String(i).padStart(19, "0")}`, { from }));
  }
  row("failed attempts per address (30/min)", 100, guesses);
  row("  then a real token from that address", 1, [await send("GET", view(parcels[4]), { from })]);
  row("  and from another address", 1, [await send("GET", view(parcels[4]), { from: newAddress() })]);
  const keys = [];
  from = newAddress();
  for (let i = 0; i < 100; i++) {
    keys.push(await send("GET", "/api/v1/admin/shop", { headers: { authorization: `Bearer wrong-${i}` }, from }));
  }
  row("wrong admin keys per address (30/min)", 100, keys);
}

/** Resident memory of the server now, and its peak so far, in MB. */
function memory() {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name) => Number(status.match(new RegExp(`${name}:\\s+(\\d+)`))[1]);
  return { now: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}
const mb = (x) => `${x.toFixed(1)} MB`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `work` while sampling the server's resident memory every `ms`: what `work` gave,
 * and the memory before and at most meanwhile. */
async function sampled(ms, work) {
  const before = memory().now;
  let highest = before;
  const sampler = setInterval(() => (highest = Math.max(highest, memory().now)), ms);
  try {
    return { result: await work(), before, highest };
  } finally {
    clearInterval(sampler);
  }
}

async function halfOpen(count) {
  const url = new URL(api);
  let closed = 0;
  const sockets = [];
  const { result: [openAt2, started], before, highest } = await sampled(100, async () => {
    for (let i = 0; i < count; i++) {
      const socket = connect(Number(url.port), url.hostname);
      socket.on("error", () => {});
      socket.on("close", () => closed++);
      // A request line and one header, never the blank line that ends the headers.
      socket.write(`GET /api/v1/shops/${shop}/orders/${parcels[0].token} HTTP/1.1\r\nHost: x\r\n`);
      sockets.push(socket);
    }
    await sleep(2000);
    const open = count - closed;
    const started = Date.now();
    while (closed < count && Date.now() - started < 20_000) await sleep(100);
    return [open, started];
  });
  const after = memory().now;
  console.log(`  ${count} half-open requests: resident ${mb(before)} before, ${mb(highest)} at most, ${mb(after)} after;`
    + ` ${openAt2} open at 2 s, all closed by the server ${closed === count ? `after ${((Date.now() - started) / 1000 + 2).toFixed(1)} s` : `- NOT: ${count - closed} still open at 22 s`}`);
  sockets.forEach((s) => s.destroy());
}

function bigPost(path, headers, size) {
  return new Promise((ok) => {
    const url = new URL(api + path);
    const started = Date.now();
    const req = request({ method: "POST", host: url.hostname, port: url.port, path: url.pathname,
      headers: { "content-type": "application/json", "content-length": size, ...headers } });
    let done = false;
    const finish = (status) => { if (!done) { done = true; ok({ status, ms: Date.now() - started }); } };
    req.on("response", (res) => { res.resume(); finish(res.statusCode); });
    req.on("error", () => finish("closed"));
    // The body in 64 KiB pieces, as a slow client would, until the server answers.
    const piece = Buffer.alloc(65536, 0x61);
    let sent = 0;
    const more = () => {
      while (!done && sent < size) {
        const n = Math.min(piece.length, size - sent);
        sent += n;
        if (!req.write(n === piece.length ? piece : piece.subarray(0, n))) return req.once("drain", more);
      }
      req.end();
    };
    req.write("{\"x\":\"");
    sent = 6;
    more();
  });
}

async function largeBodies(label, path, headers, count, size) {
  const { result: answers, before, highest } = await sampled(50, () => Promise.all(
    Array.from({ length: count }, (_, i) =>
      bigPost(path, { "x-forwarded-for": `203.0.113.${i + 1}`, ...headers }, size))));
  const slowest = Math.max(...answers.map((a) => a.ms));
  // "closed": answered, and the connection closed, before the client had sent its body.
  console.log(`  ${count} × ${(size / 1e6).toFixed(1)} MB ${label}: ${tally(answers)}, slowest answer ${slowest} ms;`
    + ` resident ${mb(before)} before, ${mb(highest)} at most`);
}

/** Sign-ins at once, each from an address of its own, as unknown people (so no account
 * locks, and each password is checked against the stand-in hash: 19 MiB of argon2). */
async function signIns(count) {
  const started = Date.now();
  const { result: answers, before, highest } = await sampled(20, () => Promise.all(
    Array.from({ length: count }, (_, i) => send("POST", "/api/v1/console/session", {
      body: { shop, email: `nobody-${i}@bench.example`, password: "not the password" },
      from: `192.0.2.${i + 1}`,
    }))));
  console.log(`  ${count} sign-ins at once from as many addresses: ${tally(answers)}, the last answered after`
    + ` ${Date.now() - started} ms; resident ${mb(before)} before, ${mb(highest)} at most`);
}

async function attacks() {
  console.log(`  server resident at start: ${mb(memory().now)}`);
  await halfOpen(800);
  const size = 1_900_000;
  await largeBodies("to a shopper route with a made-up token", `/api/v1/shops/${shop}/orders/${"x".repeat(24)}/reviews`, {}, 64, size);
  await largeBodies("to an admin route with a wrong key", "/api/v1/admin/orders", { authorization: "Bearer wrong" }, 64, size);
  await largeBodies("to a choice with a real token (over its 4 KiB)", `${view(parcels[5])}/shipments/${parcels[5].id}/choice`,
    { "if-match": "*" }, 64, size);
  await signIns(64);
  console.log(`  server peak resident over the whole run: ${mb(memory().peak)}`);
}

await (part === "limits" ? limits() : attacks());
