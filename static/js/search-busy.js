/* Step 2: while the comparables search runs (up to its deadline) the button says so and cannot be
   pressed twice. Progressive enhancement only: without this script the form works the same. */
(function () {
  var form = document.getElementById("search");
  var button = document.getElementById("find-button");
  if (!form || !button) {
    return;
  }
  form.addEventListener("submit", function () {
    button.disabled = true;
    button.textContent = button.dataset.busyLabel || button.textContent;
  });
})();
