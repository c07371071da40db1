// paperfeed's own script, loaded with `defer` on every page. No page has inline scripts: the
// Content-Security-Policy allows scripts from this site's static files only.
(function () {
  "use strict";

  // Copy BibTeX (paper page): the button is shown only when the clipboard can be written.
  var button = document.querySelector('[data-copy="bibtex"]');
  if (button && navigator.clipboard) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = document.getElementById("bibtex").textContent;
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = "Copied ✓";
        setTimeout(function () { button.textContent = "Copy BibTeX"; }, 2000);
      }, function () { document.querySelector("details.bibtex").open = true; });
    });
  }
})();
