// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function flash(button, text) {
    var original = button.textContent;
    button.textContent = text;
    setTimeout(function () { button.textContent = original; }, 2000);
  }

  // The words come from the page (data-copied, data-copy-failed on <body>), in its language.
  function copy(button, text) {
    if (!navigator.clipboard) { return; }
    var words = document.body.dataset;
    navigator.clipboard.writeText(text).then(
      function () { flash(button, words.copied || "Copied"); },
      function () { flash(button, words.copyFailed || "Press and hold to copy"); }
    );
  }

  function canonicalUrl() {
    var link = document.querySelector('link[rel="canonical"]');
    return link ? link.href : window.location.href.split("#")[0];
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { copy(button, target.value || target.textContent); });
  });

  document.querySelectorAll("[data-copy-link]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { copy(button, canonicalUrl() + "?ref=copy"); });
  });

  document.querySelectorAll("[data-share-sheet]").forEach(function (button) {
    if (!navigator.share) { return; }  // the phone's own share sheet, where the browser has one
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({ title: document.title, url: canonicalUrl() + "?ref=share-sheet" })
        .catch(function () { /* the visitor closed the sheet */ });
    });
  });

  // After a refused form, bring the summary of what to fix into view and focus. Its autofocus
  // does not act when the address has a #fragment (the sign form's has), and going to the
  // fragment after this script would take focus away again: so also once the page has loaded.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    window.addEventListener("load", function () {
      setTimeout(function () {  // unless the visitor has moved on to a field meanwhile
        if (!document.activeElement || document.activeElement === document.body) { summary.focus(); }
      }, 0);
    });
  }
}());
