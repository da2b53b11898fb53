// For pages that embed a Campaign sign form: include this script once, after the iframe(s).
// It sizes each frame of this script's site to the height its page reports (embed-frame.js),
// so the form shows whole without a scroll bar. Messages from any other origin are ignored.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.URL) { return; }
  var site = new URL(script.src).origin;
  var MIN_HEIGHT = 120;
  var MAX_HEIGHT = 6000;

  function framesOfSite() {
    return Array.prototype.filter.call(document.querySelectorAll("iframe[src]"), function (frame) {
      try { return new URL(frame.src, document.baseURI).origin === site; } catch (e) { return false; }
    });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== site) { return; }
    var data = event.data;
    if (!data || data.type !== "campaign-embed-height") { return; }
    var height = Number(data.height);
    if (!isFinite(height)) { return; }
    height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(height)));
    framesOfSite().forEach(function (frame) {
      // Only the frame whose page sent the message.
      if (frame.contentWindow === event.source) { frame.style.height = height + "px"; }
    });
  });
}());
