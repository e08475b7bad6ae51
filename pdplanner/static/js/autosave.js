// Autosave for every rating form marked data-autosave: a domain of the self-assessment and a domain
// of a coach's ratings. Both pages answer it the same way (assessments.views, `_saved_page`): 200
// with the rater's progress, or 422 naming each wrong field. Without this script the Save buttons
// still work; with it every change is saved at once, failed saves are retried with growing pauses
// and the person is told what happened. Nothing typed is dropped: a save always sends the whole form.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var state = document.getElementById("save-state");
  var progress = document.getElementById("progress");
  var TYPING_PAUSE_MS = 1000;
  var RETRY_PAUSES_S = [2, 5, 10, 20, 30];
  var inFlight = false, pending = false, dirty = false, retries = 0, timer = null;

  function say(text, isError) {
    state.textContent = text;
    state.classList.toggle("save-state--error", !!isError);
  }

  function time() {
    return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function showProgress(p) {
    if (!progress || !p) { return; }
    var text = p.answered + " of " + p.total + " rated";
    if (p.answered < p.total) {
      text += ", about " + p.minutes_left + " minute" + (p.minutes_left === 1 ? "" : "s") + " left";
    }
    progress.innerHTML = "";
    var strong = document.createElement("strong");
    strong.textContent = text;
    progress.appendChild(strong);
    progress.appendChild(document.createTextNode("."));
    var bar = document.querySelector("progress");
    if (bar) { bar.value = p.answered; }
    Object.keys(p.domains || {}).forEach(function (code) {
      var count = document.querySelector('[data-domain-count="' + code + '"]');
      if (count) { count.textContent = p.domains[code]; }
    });
  }

  function clearErrors() {
    form.querySelectorAll(".autosave-error").forEach(function (el) { el.remove(); });
  }

  function showErrors(errors) {
    Object.keys(errors || {}).forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      if (!field) { return; }
      var holder = field.closest("fieldset") || field.parentElement;
      var p = document.createElement("p");
      p.className = "field__error autosave-error";
      p.textContent = errors[name];
      holder.insertBefore(p, holder.firstChild.nextSibling);
    });
  }

  function payload() {
    var data = new FormData(form);
    // Files go with the Save button only: an upload on every keystroke would be wasteful.
    Array.from(form.querySelectorAll('input[type="file"]')).forEach(function (input) {
      data.delete(input.name);
    });
    return data;
  }

  function save() {
    if (inFlight) { pending = true; return; }
    inFlight = true;
    dirty = false;
    say("Saving…");
    fetch(form.action, {
      method: "POST",
      body: payload(),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (result) {
      inFlight = false;
      clearErrors();
      if (result.status === 200 && result.body.saved) {
        retries = 0;
        say("All changes saved at " + time() + ".");
        showProgress(result.body.progress);
      } else if (result.status === 422 || result.status === 409) {
        retries = 0;
        say(result.body.message || "Not saved: check the highlighted answers.", true);
        showErrors(result.body.errors);
      } else {
        throw new Error("HTTP " + result.status);
      }
      if (pending) { pending = false; save(); }
    }).catch(function () {
      inFlight = false;
      dirty = true;
      var pause = RETRY_PAUSES_S[Math.min(retries, RETRY_PAUSES_S.length - 1)];
      retries += 1;
      say("Could not save your last change. Trying again in " + pause +
          " seconds; your answers stay on this page. You can also press Save.", true);
      window.setTimeout(save, pause * 1000);
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.type === "file") { return; }
    window.clearTimeout(timer);
    save();
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA" && event.target.type !== "url") { return; }
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, TYPING_PAUSE_MS);
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty || inFlight) { event.preventDefault(); event.returnValue = ""; }
  });
  form.addEventListener("submit", function () { dirty = false; });
}());
