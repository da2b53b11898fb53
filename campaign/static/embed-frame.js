// Inside the embedded form: tell the embedding page how tall this page is, so that its
// embed.js can size the frame. The message holds only a height, so any parent may read it.
(function () {
  "use strict";
  if (window.parent === window) { return; }

  var lastSent = 0;

  function report() {
    var height = Math.ceil(document.body.scrollHeight);
    if (height === lastSent) { return; }
    lastSent = height;
    window.parent.postMessage({ type: "campaign-embed-height", height: height }, "*");
  }

  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  if (window.ResizeObserver) { new ResizeObserver(report).observe(document.body); }
  report();
}());
