/* Officer pages only: shows the print button (hidden without JS, where the page says
   "press Ctrl+P") and prints when it is pressed. Loaded with defer; the CSP allows 'self'. */
(function () {
  var buttons = document.querySelectorAll(".js-print");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () { window.print(); });
  }
})();
