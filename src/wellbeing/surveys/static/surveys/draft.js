// Keeps a survey page's answers in localStorage so a reload or a dropped
// connection loses nothing; the server-side draft cookie covers pages already
// submitted. No inline scripts (Content-Security-Policy): attached by data attributes.
(function () {
  "use strict";
  var PREFIX = "wb-survey-draft:";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function restore(form, store, key) {
    var saved;
    try { saved = JSON.parse(store.getItem(PREFIX + key) || "{}"); } catch (e) { saved = {}; }
    Object.keys(saved).forEach(function (name) {
      var fields = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
      fields.forEach(function (field) {
        if (field.type === "radio") {
          // Only fill a question the server did not already answer.
          var answered = form.querySelector('[name="' + CSS.escape(name) + '"]:checked');
          if (!answered && field.value === saved[name]) { field.checked = true; }
        } else if (field.tagName === "TEXTAREA" && !field.value) {
          field.value = saved[name];
        }
      });
    });
  }

  function save(form, store, key) {
    var saved;
    try { saved = JSON.parse(store.getItem(PREFIX + key) || "{}"); } catch (e) { saved = {}; }
    form.querySelectorAll("input[type=radio]:checked, textarea").forEach(function (field) {
      saved[field.name] = field.value;
    });
    try { store.setItem(PREFIX + key, JSON.stringify(saved)); } catch (e) { /* quota: ignore */ }
  }

  function init() {
    var store = storage();
    if (document.querySelector("[data-draft-clear]") && store) {
      Object.keys(store).forEach(function (k) { if (k.indexOf(PREFIX) === 0) { store.removeItem(k); } });
    }
    var form = document.querySelector("form[data-draft-key]");
    if (!form) { return; }
    var key = form.getAttribute("data-draft-key");
    if (store) {
      restore(form, store, key);
      form.addEventListener("change", function () { save(form, store, key); });
    }
    // A double click sends one request; the idempotency key covers retries anyway.
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-submitting") === "1") { event.preventDefault(); return; }
      var button = event.submitter;
      if (button && button.hasAttribute("data-submit-once")) {
        form.setAttribute("data-submitting", "1");
        button.setAttribute("aria-disabled", "true");
        button.textContent = button.getAttribute("data-sending-label") || "Sending…";
      }
      if (store) { save(form, store, key); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
