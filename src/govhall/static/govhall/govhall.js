/* GovHall: progressive enhancement only; every page works without this file. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Search statistics: a click on a result is counted for the query (anonymous, no new URL).
    document.querySelectorAll("[data-click-query]").forEach(function (section) {
      section.addEventListener("click", function (event) {
        var link = event.target.closest(".result__title a");
        var token = section.querySelector(".js-click-token input[name=csrfmiddlewaretoken]");
        if (!link || !token || !navigator.sendBeacon) { return; }
        var data = new FormData();
        data.append("q", section.dataset.clickQuery);
        data.append("csrfmiddlewaretoken", token.value);
        navigator.sendBeacon(section.dataset.clickUrl, data);
      });
    });
    document.querySelectorAll(".js-print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
  // Printed pages show everything: open any collapsed <details>.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.setAttribute("open", "");
      d.dataset.printOpened = "1";
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-print-opened]").forEach(function (d) {
      d.removeAttribute("open");
      delete d.dataset.printOpened;
    });
  });
})();
