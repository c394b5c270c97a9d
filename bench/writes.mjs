// Writes at a fixed rate, half carrier events and half delivery choices, each a real
// change of a random parcel among the first PARCELS of a seeded shop (bench/seed.mjs's
// parcels.json): what order views are read alongside in bench/compare.sh.
// Prints "sent/s statuses-as-JSON".
// Usage: node bench/writes.mjs API_URL SHOP API_KEY PARCELS_JSON RATE SECONDS [PARCELS]
import { readFileSync } from "node:fs";

const [api, shop, key, file, rate, seconds, first] = process.argv.slice(2);
const parcels = JSON.parse(readFileSync(file, "utf8")).slice(0, Number(first || 1000));
const statuses = {};
let n = 0;

function write() {
  n += 1;
  const p = parcels[Math.floor(Math.random() * parcels.length)];
  const request = n % 2
    ? fetch(`${api}/api/v1/admin/shipments/dhl/${p.tracking}/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({
          event_id: `mixed-${process.pid}-${n}`, occurred_at: new Date(Date.UTC(2026, 10, 20, 10, 0, n % 3600)).toISOString(),
          code: "transit", text: "Sorted", location: "Utrecht",
        }),
      })
    : fetch(`${api}/api/v1/shops/${shop}/orders/${p.token}/shipments/${p.id}/choice`, {
        method: "POST",
        headers: { "if-match": "*", "content-type": "application/json" },
        body: JSON.stringify({ choice: { kind: "neighbour", neighbour: { name: `Neighbour ${n}`, house_number: `${n % 90 + 1}` } } }),
      });
  return request
    .then(async (r) => { await r.arrayBuffer(); statuses[r.status] = (statuses[r.status] || 0) + 1; })
    .catch(() => { statuses.failed = (statuses.failed || 0) + 1; });
}

// A tick every 10 ms sends what the rate owes by then, so a slow tick is made up for.
const started = performance.now(), end = started + Number(seconds) * 1000;
const pending = [];
await new Promise((done) => {
  const timer = setInterval(() => {
    const now = performance.now();
    const owed = Math.floor(((Math.min(now, end) - started) / 1000) * Number(rate));
    while (n < owed) pending.push(write());
    if (now >= end) { clearInterval(timer); done(); }
  }, 10);
});
await Promise.all(pending);
console.log(`${Math.round(n / Number(seconds))} ${JSON.stringify(statuses)}`);
