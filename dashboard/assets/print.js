/* Charts fit the printed page: plotly draws each chart at a fixed pixel width (the screen's), which
   the narrower page cut at its right edge. Before printing (or when print media is emulated), each
   chart is redrawn at the printable width of A4 with 12 mm margins (about 700 CSS px) or its
   container's, whichever is smaller; afterwards it fills its container again. */
(function () {
  var PRINT_WIDTH = 700;

  function charts() { return document.querySelectorAll(".js-plotly-plot"); }

  function fit() {
    if (!window.Plotly) { return; }
    charts().forEach(function (gd) {
      var room = gd.parentElement ? gd.parentElement.clientWidth : PRINT_WIDTH;
      window.Plotly.relayout(gd, {width: Math.min(PRINT_WIDTH, room || PRINT_WIDTH), autosize: false});
    });
  }

  function unfit() {
    if (!window.Plotly) { return; }
    charts().forEach(function (gd) {
      window.Plotly.relayout(gd, {width: null, autosize: true});
    });
  }

  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", unfit);
  var media = window.matchMedia && window.matchMedia("print");
  if (media && media.addEventListener) {
    media.addEventListener("change", function (e) { if (e.matches) { fit(); } else { unfit(); } });
  }
})();
