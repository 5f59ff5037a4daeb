/* The callback queue reloads itself (the same URL, so its filters stay) every few seconds given by the
   script tag, unless the desk member has started something on it: a ticked row, a chosen action, or a
   field with the keyboard focus. Without JavaScript a <noscript> meta refresh does the reloading. */
(function () {
  "use strict";
  var script = document.currentScript;
  var seconds = Number(script && script.dataset.seconds) || 60;

  function busy() {
    var active = document.activeElement;
    if (active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) {
      return true;
    }
    if (document.querySelector("#changelist-form input.action-select:checked, #action-toggle:checked")) {
      return true;
    }
    var action = document.querySelector("#changelist-form select[name=action]");
    return Boolean(action && action.value);
  }

  function tick() {
    if (busy()) {
      window.setTimeout(tick, seconds * 1000);
      return;
    }
    window.location.replace(window.location.href);
  }

  window.setTimeout(tick, seconds * 1000);
})();
