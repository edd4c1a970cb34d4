// Renders the report's Vega-Lite charts. Each chart is a [data-vega-spec] element naming the
// <script type="application/json"> that holds its spec (Django's json_script), and optionally
// [data-vega-narrow] naming the layout for a phone. No inline scripts (Content-Security-Policy),
// and no eval either: Vega parses expressions to an AST and vega-interpreter evaluates them, so
// the CSP needs no 'unsafe-eval'. Without JavaScript the table beside each chart holds every figure.
(function () {
  "use strict";

  var PANEL_MIN = 200; // px: the narrowest a wide panel's bars get

  function readJson(id) {
    var source = id && document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  // "narrow" when the chart has a phone layout and its container is narrower than the width
  // the page gives for it (reports/charts.py NARROW_BELOW), else "wide".
  function layoutFor(element) {
    var below = Number(element.getAttribute("data-narrow-below"));
    return element.hasAttribute("data-vega-narrow") && element.clientWidth < below ? "narrow" : "wide";
  }

  // The spec this container should draw: the narrow layout (it borrows the wide spec's rows,
  // sent once), or the wide one with its panels sized to the container.
  function specFor(element, width) {
    var spec = readJson(element.getAttribute("data-vega-spec"));
    var narrow = layoutFor(element) === "narrow" ? readJson(element.getAttribute("data-vega-narrow")) : null;
    if (narrow) {
      narrow.datasets = spec.datasets;
      return narrow;
    }
    var room = spec.usermeta && spec.usermeta.panelRoom;
    if (room && spec.vconcat) {
      spec.vconcat.forEach(function (panel) {
        panel.width = Math.max(PANEL_MIN, Math.min(panel.width, width - room));
      });
    }
    return spec;
  }

  function render(element) {
    if (!window.vegaEmbed || !window.vegaInterpreter) { return; }
    element.hidden = false;
    var width = element.clientWidth;
    var spec = specFor(element, width);
    if (!spec) { element.hidden = true; return; }
    element.setAttribute("data-vega-layout", layoutFor(element));
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

  // A phone turned sideways (or a window resized) may cross that width: draw the other layout.
  function relayout() {
    document.querySelectorAll("[data-vega-narrow]").forEach(function (element) {
      if (element.getAttribute("data-vega-layout") !== layoutFor(element)) { render(element); }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(relayout, 200);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
}());
