// The demo shop's own script, standing in for any storefront's JavaScript. The end-to-end
// tests check that it keeps working whatever the widget does.
(() => {
  const count = document.getElementById("basket-count");
  const status = document.getElementById("basket-status");
  const add = document.getElementById("add-to-basket");
  if (!count || !add) return;
  add.addEventListener("click", () => {
    const n = Number(count.textContent) + 1;
    count.textContent = String(n);
    status.textContent = `Added to your basket (${n} ${n === 1 ? "item" : "items"}).`;
  });
})();
