/* The draft edit form (templates/admin/therapies/changerequest/edit_revision.html).
 *
 * The error summary (GOV.UK pattern) takes focus when the page opens, so a screen reader announces it and
 * the keyboard starts there; each of its links opens the section holding the field and moves focus to the
 * field itself (to a search box's visible part where the admin's autocomplete hides the real <select>).
 * Without JavaScript the summary is still first on the page and its links still jump to the fields.
 */
(function () {
  "use strict";

  function focusable(target) {
    if (target.tagName === "SELECT" && target.classList.contains("admin-autocomplete")) {
      var shown = target.parentElement.querySelector(".select2-selection");
      if (shown) { return shown; }
    }
    if (!target.matches("input, select, textarea, button, a[href]")) {
      return target.querySelector("input, select, textarea, button") || target;
    }
    return target;
  }

  function reveal(target) {
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
  }

  function goTo(id) {
    var target = document.getElementById(id);
    if (!target) { return false; }
    reveal(target);
    var label = document.querySelector("label[for='" + id + "']");
    (label || target).scrollIntoView({ block: "start" });
    var control = focusable(target);
    if (!control.hasAttribute("tabindex") && !control.matches("input, select, textarea, button, a[href], .select2-selection")) {
      control.setAttribute("tabindex", "-1");
    }
    control.focus({ preventScroll: true });
    return true;
  }

  /* select2's search box has no label of its own: name it after the field's. The admin's autocomplete.js makes
   * the select2 boxes in a jQuery ready handler (asynchronous in jQuery 3), so this is one registered after it. */
  function labelSearchBoxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = document.querySelector("label[for='" + select.id + "']");
      var box = select.parentElement.querySelector(".select2-search__field");
      if (label && box) { box.setAttribute("aria-label", "Search: " + label.textContent.replace("*", "").trim()); }
    });
  }

  /* Text areas grow with their text (CSS field-sizing where the browser has it; this where it does not). */
  function grow(area) {
    area.style.height = "auto";
    area.style.height = (area.scrollHeight + 2) + "px";
  }

  function growTextAreas() {
    if (window.CSS && CSS.supports && CSS.supports("field-sizing", "content")) { return; }
    document.querySelectorAll("textarea.grow").forEach(function (area) {
      grow(area);
      area.addEventListener("input", function () { grow(area); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    growTextAreas();
    if (window.django && window.django.jQuery) { window.django.jQuery(labelSearchBoxes); }
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (link && goTo(decodeURIComponent(link.getAttribute("href").slice(1)))) {
          event.preventDefault();
        }
      });
    }
    var toggles = document.querySelector(".section-toggles");
    if (toggles) {
      toggles.hidden = false;
      toggles.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-sections]");
        if (!button) { return; }
        var open = button.getAttribute("data-sections") === "open";
        document.querySelectorAll("details.form-section").forEach(function (section) { section.open = open; });
      });
    }
  });
}());
