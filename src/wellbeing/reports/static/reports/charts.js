// Renders the report's Vega-Lite charts. Each chart is a [data-vega-spec] element naming the
// <script type="application/json"> that holds its spec (Django's json_script). No inline
// scripts (Content-Security-Policy), and no eval either: Vega parses expressions to an AST and
// vega-interpreter evaluates them, so the CSP needs no 'unsafe-eval'. Without JavaScript the
// table beside each chart holds every figure.
(function () {
  "use strict";

  function render(element) {
    var source = document.getElementById(element.getAttribute("data-vega-spec"));
    if (!source || !window.vegaEmbed || !window.vegaInterpreter) { return; }
    var spec = JSON.parse(source.textContent);
    element.hidden = false;
    window.vegaEmbed(element, spec, {
      renderer: "svg",
      actions: false,
      tooltip: false,
      defaultStyle: false, // vega-embed would inject a <style>, which the CSP refuses
      ast: true,
      expr: window.vegaInterpreter.expressionInterpreter
    }).then(function () {
      element.classList.add("wb-chart__canvas--ready");
      var svg = element.querySelector("svg");
      if (svg) {
        // The figure's caption and the table beside it describe the chart.
        svg.setAttribute("aria-describedby", element.getAttribute("data-caption-id"));
      }
    }).catch(function (error) {
      element.hidden = true;
      console.error("chart " + element.id + " failed: " + error);
    });
  }

  function renderAll() {
    document.querySelectorAll("[data-vega-spec]").forEach(render);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
}());
