// Makes pre-rendered charts interactive where JavaScript runs. Each .maze-chart already holds a
// static SVG (rendered at build time); vega-embed replaces it with a live view of the same spec.
(function () {
  "use strict";
  if (typeof window.vegaEmbed !== "function") return;
  var charts = document.querySelectorAll(".maze-chart");
  Array.prototype.forEach.call(charts, function (fig) {
    var specNode = fig.querySelector("script.chart-spec");
    var staticNode = fig.querySelector(".chart-static");
    if (!specNode || !staticNode) return;
    var spec = JSON.parse(specNode.textContent);
    var live = document.createElement("div");
    var title = spec && spec.title ? (typeof spec.title === "string" ? spec.title : [].concat(spec.title.text).join(" ")) : "chart";
    fig.setAttribute("role", "img");
    fig.setAttribute("aria-label", title);
    live.className = "chart-live";
    fig.insertBefore(live, staticNode);
    window
      // The figure is one image named by the chart's title; the SVG inside is hidden from assistive
      // technology (vega labels its mark groups but not every mark, which fails WCAG checks).
      .vegaEmbed(live, spec, { actions: false, renderer: "svg" })
      .then(function () {
        staticNode.hidden = true;
        var svg = live.querySelector("svg");
        if (svg) svg.setAttribute("aria-hidden", "true");
        fig.setAttribute("data-rendered", "live");
      })
      .catch(function (err) {
        // The static SVG stays; say why the live chart is missing without failing the page.
        live.remove();
        fig.setAttribute("data-rendered", "static");
        console.warn("maze: interactive chart unavailable:", err && err.message);
      });
  });
})();
