// Seeds a shop for the write benchmark through its admin API, as a merchant would: the
// shop's delivery settings (neighbours allowed, no webhook endpoint), then ORDERS orders
// with one parcel each. Writes, into the folder given:
//   events.lua   wrk: POSTs a new carrier event (a fresh event id) to a random parcel
//   choices.lua  wrk: POSTs a changed delivery choice (a neighbour) to a random parcel
//   parcels.json each order's token, parcel id and tracking number
// Usage: node bench/seed.mjs API_URL SHOP API_KEY ORDERS OUT_DIR
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const [api, shop, key, count, out] = process.argv.slice(2);
const admin = { authorization: `Bearer ${key}`, "content-type": "application/json" };

async function call(method, path, body) {
  const response = await fetch(api + path, { method, headers: admin, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

await call("PUT", "/api/v1/admin/delivery-settings", {
  time_zone: "Europe/Amsterdam", cutoff: "04:00", later_days: 3, safe_places: ["porch"], neighbour: true,
});
const parcels = [];
const numbers = Array.from({ length: Number(count) }, (_, i) => `B${100000 + i}`);
// A few at a time, as a shop's checkout would send them.
for (let i = 0; i < numbers.length; i += 8) {
  await Promise.all(numbers.slice(i, i + 8).map(async (number) => {
    const created = await call("POST", "/api/v1/admin/orders", {
      number, currency: "EUR",
      customer: { email: `${number.toLowerCase()}@example.com`, first_name: "Sam", last_name: "Bench" },
      items: [{ sku: "MUG", name: "Stoneware mug", quantity: 1, unit_price: 2400 }],
      delivery_address: { name: "Sam Bench", street: "Keizersgracht 1", postcode: "1015 CJ", city: "Amsterdam", country: "NL" },
    });
    const parcel = await call("POST", `/api/v1/admin/orders/${number}/shipments`, {
      carrier: "dhl", tracking_number: `JV${number}`, items: [{ sku: "MUG", quantity: 1 }],
    });
    parcels.push({ token: created.access.token, id: parcel.id, tracking: `JV${number}` });
  }));
}

const list = (f) => parcels.map(f).join(",\n  ");
writeFileSync(join(out, "events.lua"), `-- ${parcels.length} parcels; each request a new event of a random one.
local parcels = {
  ${list((p) => `"/api/v1/admin/shipments/dhl/${p.tracking}/events"`)}
}
local codes = { "transit", "sorted", "arrived_at_depot", "in_transit" }
local n, thread_id = 0, 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function init() thread_id = id; math.randomseed(os.time() + id) end
request = function()
  n = n + 1
  local path = parcels[math.random(#parcels)]
  local hour = 10 + n % 10
  local body = string.format('{"event_id":"bench-%d-%d","occurred_at":"2026-11-20T%02d:%02d:%02dZ","code":"%s","text":"Sorted","location":"Utrecht"}',
    thread_id, n, hour, n % 60, math.floor(n / 60) % 60, codes[n % #codes + 1])
  return wrk.format("POST", path, { ["Authorization"] = "Bearer ${key}", ["Content-Type"] = "application/json" }, body)
end
`);
writeFileSync(join(out, "choices.lua"), `-- ${parcels.length} parcels; each request changes one's neighbour (a real change).
local parcels = {
  ${list((p) => `"/api/v1/shops/${shop}/orders/${p.token}/shipments/${p.id}/choice"`)}
}
local n = 0
function setup(thread) end
function init() math.randomseed(os.time() + math.random(1000)) end
request = function()
  n = n + 1
  local path = parcels[math.random(#parcels)]
  local body = string.format('{"choice":{"kind":"neighbour","neighbour":{"name":"Neighbour %d","house_number":"%d"}}}', n, n % 90 + 1)
  return wrk.format("POST", path, { ["If-Match"] = "*", ["Content-Type"] = "application/json" }, body)
end
`);
writeFileSync(join(out, "parcels.json"), JSON.stringify(parcels));
console.log(parcels.length);
