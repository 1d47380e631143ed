// Draws every chart of the page from the Vega / Vega-Lite spec inlined beside it (no network).
(function () {
  "use strict";
  var options = JSON.parse(document.getElementById("embed-options").textContent);
  document.querySelectorAll("[data-spec]").forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
    var opts = Object.assign({}, options, { mode: el.dataset.mode || "vega-lite" });
    vegaEmbed(el, spec, opts)
      .then(function () { el.dataset.rendered = "1"; })
      .catch(function (err) { el.dataset.rendered = "error"; console.error(err); });
  });
})();
