// Refreshes the preview while typing. The 预览 button above does the same without JavaScript.
(function () {
  var form = document.getElementById("editor"), pane = document.getElementById("preview"), timer;
  if (!form || !window.fetch) return;
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var body = new URLSearchParams(new FormData(form));
      body.delete("action");
      fetch("/admin/documents/preview", { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) { pane.innerHTML = html; form.parentNode.classList.add("with-preview"); });
    }, 700);
  });
})();
