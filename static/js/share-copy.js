/* Step 3: a "Скопировать ссылку" button beside the share link. Progressive enhancement only: the
   script adds the button itself, so without it the link is still shown and can be selected by
   hand. The Clipboard API where the browser allows it, else the link is selected for the usual
   copy gesture; the result is said in a status line next to the button. */
(function () {
  var input = document.getElementById("share-url");
  if (!input) {
    return;
  }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.textContent = "Скопировать ссылку";
  var status = document.createElement("p");
  status.className = "small share-status";
  status.setAttribute("role", "status");
  input.parentNode.appendChild(button);
  input.parentNode.parentNode.insertBefore(status, input.parentNode.nextSibling);

  function selectLink() {
    input.focus();
    input.select();
    input.setSelectionRange(0, input.value.length);
  }

  function copiedByHand() {
    selectLink();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    status.textContent = copied
      ? "Ссылка скопирована"
      : "Ссылка выделена — скопируйте её (на телефоне: долгое нажатие → «Копировать»)";
  }

  button.addEventListener("click", function () {
    if (!navigator.clipboard || !window.isSecureContext) {
      copiedByHand();
      return;
    }
    navigator.clipboard.writeText(input.value).then(function () {
      selectLink();
      status.textContent = "Ссылка скопирована";
    }, copiedByHand);
  });
})();
