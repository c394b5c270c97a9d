// Writes at a fixed rate, half carrier events and half delivery choices, each a real
// change of a random parcel among the first PARCELS of a seeded shop (bench/seed.mjs's
// parcels.json): what order views are read alongside in bench/compare.sh.
// Node's http module over kept-alive connections: fetch cost 1 ms of CPU per request
// here (0.6 of a core at 500/s, taken from the server being measured); this, a tenth.
// Prints "sent/s statuses-as-JSON".
// Usage: node bench/writes.mjs API_URL SHOP API_KEY PARCELS_JSON RATE SECONDS [PARCELS]
// KIND=event or KIND=choice sends only that kind (to see what each costs the database).
import { readFileSync } from "node:fs";
import http from "node:http";

const [api, shop, key, file, rate, seconds, first] = process.argv.slice(2);
const parcels = JSON.parse(readFileSync(file, "utf8")).slice(0, Number(first || 1000));
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const statuses = {};
let n = 0;

function post(path, headers, body) {
  return new Promise((resolve) => {
    const request = http.request(`${api}${path}`, {
      method: "POST", agent,
      headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode));
    });
    request.on("error", () => resolve("failed"));
    request.end(body);
  });
}

function write() {
  n += 1;
  const p = parcels[Math.floor(Math.random() * parcels.length)];
  const event = process.env.KIND ? process.env.KIND === "event" : n % 2 === 1;
  const sent = event
    ? post(`/api/v1/admin/shipments/dhl/${p.tracking}/events`, { authorization: `Bearer ${key}` },
        JSON.stringify({
          event_id: `mixed-${process.pid}-${n}`, occurred_at: new Date(Date.UTC(2026, 10, 20, 10, 0, n % 3600)).toISOString(),
          code: "transit", text: "Sorted", location: "Utrecht",
        }))
    : post(`/api/v1/shops/${shop}/orders/${p.token}/shipments/${p.id}/choice`, { "if-match": "*" },
        JSON.stringify({ choice: { kind: "neighbour", neighbour: { name: `Neighbour ${n}`, house_number: `${n % 90 + 1}` } } }));
  return sent.then((status) => { statuses[status] = (statuses[status] || 0) + 1; });
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
agent.destroy();
console.log(`${Math.round(n / Number(seconds))} ${JSON.stringify(statuses)}`);
