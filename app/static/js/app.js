/* The app's own behaviour (CSP: no inline script). Everything here is an enhancement: without
   JavaScript every page works, only without these conveniences. */
(function () {
  "use strict";

  /* Session warning (SPEC §12): SESSION_WARNING_SECONDS before the idle timeout the page offers
     *Aangemeld blijven*. Before showing it, the server is asked how long the session really has
     left: another tab (or an htmx request) may have renewed it meanwhile. */
  function sessionWarning(box) {
    var warnBefore = Number(box.getAttribute("data-warn-before")) || 120;
    var statusUrl = box.getAttribute("data-status-url");
    var renewUrl = box.getAttribute("data-renew-url");
    var countdown = box.querySelector("[data-session-countdown]");
    var running = box.querySelector("[data-session-running]");
    var ended = box.querySelector("[data-session-ended]");
    var renewButton = box.querySelector("[data-session-renew]");
    var closeButton = box.querySelector("[data-session-close]");
    var timer = null;
    var tick = null;
    var deadline = 0;
    var returnFocus = null;

    function csrfToken() {
      try {
        return JSON.parse(document.body.getAttribute("data-hx-headers"))["X-CSRFToken"] || "";
      } catch (e) {
        return "";
      }
    }

    function words(seconds) {
      if (seconds >= 60) {
        var minutes = Math.ceil(seconds / 60);
        return minutes === 1 ? "1 minuut" : minutes + " minuten";
      }
      return seconds === 1 ? "1 seconde" : seconds + " seconden";
    }

    function render() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      countdown.textContent = words(left);
    }

    function schedule(remaining) {
      clearTimeout(timer);
      timer = setTimeout(check, Math.max(0, remaining - warnBefore) * 1000);
    }

    function open(focusOn) {
      if (box.hidden) {
        returnFocus = document.activeElement;
        box.hidden = false;
      }
      focusOn.focus();
    }

    function hide() {
      clearInterval(tick);
      box.hidden = true;
      if (returnFocus && document.contains(returnFocus) && returnFocus.focus) {
        returnFocus.focus();
      }
      returnFocus = null;
    }

    function show(remaining) {
      deadline = Date.now() + remaining * 1000;
      running.hidden = false;
      ended.hidden = true;
      renewButton.hidden = false;
      closeButton.hidden = true;
      render();
      clearInterval(tick);
      tick = setInterval(render, 1000);
      open(renewButton);
      clearTimeout(timer);
      timer = setTimeout(check, remaining * 1000 + 500);  // ended, or renewed in another tab?
    }

    function showEnded() {
      clearInterval(tick);
      clearTimeout(timer);
      running.hidden = true;
      ended.hidden = false;
      renewButton.hidden = true;
      closeButton.hidden = false;
      open(closeButton);
    }

    function check() {
      fetch(statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var remaining = Number(data.remaining) || 0;
          if (remaining <= 0) {
            showEnded();
          } else if (remaining > warnBefore) {
            if (!box.hidden) { hide(); }
            schedule(remaining);
          } else {
            show(remaining);
          }
        })
        .catch(function () {
          clearTimeout(timer);
          timer = setTimeout(check, 10000);  // offline for a moment: ask again
        });
    }

    renewButton.addEventListener("click", function () {
      fetch(renewUrl, {method: "POST", credentials: "same-origin", redirect: "manual",
                       headers: {"Accept": "application/json", "X-CSRFToken": csrfToken()}})
        .then(function (response) {
          // ended meanwhile: a redirect to the login page (not followed), or a refused token
          return response.ok ? response.json() : {};
        })
        .then(function (data) {
          var remaining = Number(data.remaining) || 0;
          if (remaining <= 0) {
            showEnded();
          } else {
            hide();
            schedule(remaining);
          }
        })
        .catch(showEnded);
    });
    closeButton.addEventListener("click", hide);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !closeButton.hidden) { hide(); }
    });

    schedule(Number(box.getAttribute("data-remaining")) || 0);
  }

  /* A failed form: its error summary (app/templates/_macros/forms.html) takes the focus, so a
     screen reader reads it first; its links move the focus into the faulty field. */
  function errorSummary(summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      field.focus();
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({block: "center"});
    });
  }

  /* After an htmx swap the focus stays where the user is: an element inside the swapped part
     (a tab, a pager link) is replaced, so its successor (same kind, same text) gets the focus, or
     else the swapped part itself; the search box outside it keeps its focus and caret. */
  function keepFocusOnSwap() {
    document.addEventListener("htmx:beforeSwap", function (event) {
      var target = event.detail.target;
      var active = document.activeElement;
      if (target && active && active !== document.body && target.contains(active)) {
        target.refocus = {tag: active.tagName, text: active.textContent.trim()};
      }
    });
    document.addEventListener("htmx:afterSettle", function (event) {
      var target = event.detail.target || event.target;
      var wanted = target && target.refocus;
      if (!wanted) { return; }
      target.refocus = null;
      var active = document.activeElement;
      if (active && active !== document.body && document.contains(active)) { return; }
      var same = Array.prototype.find.call(target.querySelectorAll(wanted.tag), function (el) {
        return el.textContent.trim() === wanted.text;
      });
      var next = same || target.querySelector("[aria-current='page']");
      if (!next) {
        target.setAttribute("tabindex", "-1");
        next = target;
      }
      next.focus();
    });
    /* a count in the swapped part ([data-count]) is read out by a live region outside it */
    document.addEventListener("htmx:afterSettle", function (event) {
      var target = event.detail.target || event.target;
      var count = target && target.querySelector && target.querySelector("[data-count]");
      var live = count && document.getElementById(count.getAttribute("data-count"));
      if (live) { live.textContent = count.textContent.trim(); }
    });
  }

  function start() {
    var box = document.getElementById("sessie-waarschuwing");
    if (box) { sessionWarning(box); }
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { errorSummary(summary); }
    keepFocusOnSwap();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
