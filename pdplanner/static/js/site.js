// Every page: the header's menu button, and room above the sticky save bar.
//
// Menu: below the width at which the header's links fit on one row (the CSS media query
// NARROW), the menu folds behind a real <button aria-expanded aria-controls>. Enter or Space
// toggles it; Escape closes it and puts focus back on the button. Without this script the button
// stays hidden and the menu stays open, wrapping as it needs.
//
// Save bar: a page with a sticky .form-actions bar keeps the focused control above it (WCAG 2.2
// 2.4.11): the bar's height, measured as it changes, becomes the page's scroll-padding-bottom
// (--save-bar-height, which the CSS falls back on without this script).
(function () {
  "use strict";
  var NARROW = "(max-width: 63.99rem)";

  var button = document.querySelector(".menu-button");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (button && menu && window.matchMedia) {
    var narrow = window.matchMedia(NARROW);
    var setOpen = function (open) { button.setAttribute("aria-expanded", open ? "true" : "false"); };
    setOpen(false);
    button.hidden = false;
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !narrow.matches || button.getAttribute("aria-expanded") !== "true") { return; }
      if (menu.contains(document.activeElement) || document.activeElement === button) {
        setOpen(false);
        button.focus();
      }
    });
  }

  var bar = document.querySelector(".form-actions");
  if (bar && window.ResizeObserver) {
    var root = document.documentElement;
    new ResizeObserver(function () {
      root.style.setProperty("--save-bar-height", bar.offsetHeight + "px");
    }).observe(bar);
  }
}());
