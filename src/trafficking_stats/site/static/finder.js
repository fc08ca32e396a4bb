// The place finder: filters the plain list of places as you type (the list works without this script).
(function () {
  "use strict";
  var box = document.querySelector(".finder");
  var input = document.getElementById("place-filter");
  var count = document.getElementById("place-count");
  if (!box || !input) { return; }
  box.hidden = false;
  var items = Array.prototype.slice.call(document.querySelectorAll(".places li"));
  var groups = Array.prototype.slice.call(document.querySelectorAll(".place-group"));
  function norm(s) { return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").trim(); }
  var keys = items.map(function (li) { return norm(li.getAttribute("data-search") || li.textContent); });
  input.addEventListener("input", function () {
    var q = norm(input.value);
    var shown = 0;
    items.forEach(function (li, i) {
      var hit = !q || keys[i].indexOf(q) !== -1;
      li.hidden = !hit;
      if (hit) { shown += 1; }
    });
    groups.forEach(function (g) { g.hidden = !g.querySelector("li:not([hidden])"); });
    count.textContent = q ? shown + (shown === 1 ? " place matches" : " places match") : "";
  });
}());
