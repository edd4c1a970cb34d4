// Print buttons (data-print) are hidden until this script runs, so without
// JavaScript nobody sees a button that does nothing.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
