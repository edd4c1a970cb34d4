// Behaviour every page shares, loaded by core/base.html. A static file, never an inline script:
// the Content-Security-Policy refuses inline scripts. Without JavaScript every page still works;
// this only moves keyboard focus where the USWDS and GOV.UK patterns put it.
(function () {
  "use strict";

  var SUMMARY = "[data-error-summary]";
  var FIELDS = "input:not([type=hidden]), select, textarea";

  // A form that comes back with errors opens with its error summary focused, so a screen reader
  // reads the list of problems and the next Tab reaches the first of its links, instead of focus
  // staying at the top of the page. The first summary on the page wins.
  function focusErrorSummary() {
    var summary = document.querySelector(SUMMARY);
    if (!summary) {
      return;
    }
    if (!summary.hasAttribute("tabindex")) {
      summary.setAttribute("tabindex", "-1");
    }
    summary.focus();
  }

  // A summary's links name a field, a group's legend or a wrapper; the control to focus is the
  // element itself when it is a form field, else the first field of its fieldset.
  function fieldFor(target) {
    if (target.matches(FIELDS)) {
      return target;
    }
    var scope = target.closest("fieldset") || target;
    return scope.querySelector(FIELDS);
  }

  // What to scroll into view: the question a field answers (its group's legend, or its label),
  // so the person sees the question and not a bare box at the top edge of the screen.
  function questionFor(field) {
    var fieldset = field.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    if (legend && field.type && (field.type === "radio" || field.type === "checkbox")) {
      return legend;
    }
    return (field.labels && field.labels[0]) || legend || field;
  }

  // Following a summary's link moves focus to the field itself (a plain #anchor would only scroll,
  // leaving keyboard users to find the field).
  function followErrorLink(event) {
    var link = event.target.closest(SUMMARY + " a[href^='#']");
    var target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    var field = target && fieldFor(target);
    if (!field) {
      return;
    }
    event.preventDefault();
    questionFor(field).scrollIntoView();
    field.focus({ preventScroll: true });
  }

  document.addEventListener("click", followErrorLink);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
}());
