// The space home: the member list is folded on phones and opens by itself on wider screens.
(function () {
  "use strict";
  function unfold() {
    if (!window.matchMedia("(min-width: 768px)").matches) return;
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      details.open = true;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", unfold);
  else unfold();
})();
