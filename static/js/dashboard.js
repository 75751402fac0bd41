// The dashboard's charts, drawn with the vendored Apache ECharts from the numbers the page
// already shows in its tables (read from a data attribute: no inline script, the CSP stays strict).
(function () {
  "use strict";
  function draw() {
    var source = document.querySelector("[data-chart-numbers]");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.getAttribute("data-chart-numbers"));
    var brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#1f5fa8";
    var weeks = document.querySelector("[data-chart='weeks']");
    if (weeks) {
      window.echarts.init(weeks, null, { renderer: "svg" }).setOption({
        animation: false,
        grid: { left: 40, right: 16, top: 32, bottom: 28 },
        legend: { top: 0 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: data.weeks },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: data.labels.raised, type: "bar", data: data.raised, itemStyle: { color: "#9bb7da" } },
          { name: data.labels.solved, type: "line", data: data.solved, itemStyle: { color: brand } }
        ]
      });
    }
    var categories = document.querySelector("[data-chart='categories']");
    if (categories) {
      window.echarts.init(categories, null, { renderer: "svg" }).setOption({
        animation: false,
        grid: { left: 110, right: 16, top: 8, bottom: 24 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.categories, inverse: true },
        series: [{ name: data.labels.raised, type: "bar", data: data.category_raised, itemStyle: { color: brand } }]
      });
    }
    window.addEventListener("resize", function () {
      document.querySelectorAll("[data-chart]").forEach(function (node) {
        var chart = window.echarts.getInstanceByDom(node);
        if (chart) { chart.resize(); }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
