// After a form comes back with errors, move the focus to the summary of what
// is wrong, so that a screen reader reads it first and a keyboard user can
// Tab to each message's link. The page's `autofocus` does the same without
// JavaScript in most browsers; this covers the others.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
});
