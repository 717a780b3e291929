/* Progress of uploads being read (archive.ingest): polls the status URL and moves the bars; when
   an upload is read (or fails) the page reloads to show it. Without JavaScript, "Refresh" does. */
(function () {
  "use strict";
  var root = document.querySelector("[data-status-url][data-watch]");
  if (!root || !root.getAttribute("data-watch") || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-status-url") + "?ids=" + encodeURIComponent(root.getAttribute("data-watch"));

  function update(data) {
    var finished = false;
    data.uploads.forEach(function (upload) {
      var box = document.querySelector('.ingest-progress[data-upload="' + upload.id + '"]');
      if (!box) {
        return;
      }
      var bar = box.querySelector("progress");
      var label = box.querySelector(".ingest-progress-label");
      if (upload.total) {
        bar.max = upload.total;
        bar.value = upload.done;
      }
      if (label && label.textContent.trim() !== upload.label) {
        label.textContent = upload.label;
      }
      box.setAttribute("data-state", upload.state);
      if (upload.finished) {
        finished = true;
      }
    });
    if (finished) {
      window.location.reload();
      return;
    }
    window.setTimeout(poll, 1500);
  }

  function poll() {
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      })
      .then(update, function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
