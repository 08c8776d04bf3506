// The dashboard's print view: the "Afdrukken" button opens the browser's print dialog.
// Without JavaScript the button stays hidden and the page says how to print it.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-button");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
