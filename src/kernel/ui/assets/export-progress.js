// An outcomes export's page, live: every few seconds, fetch the page again and swap in its progress; when the export
// is ready, say so once through the status line and stop (failed: load the page, which offers to start again). Without JavaScript the page's "Check progress"
// link does the same by hand.
(function () {
  var box = document.getElementById('export-progress');
  var announce = document.getElementById('export-announce');
  if (!box || !announce || !window.fetch || !window.DOMParser) return;
  var url = box.getAttribute('data-poll');
  if (!url) return;

  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) {
        // Signed out, or the export gone: load the page itself, which says what happened.
        if (!res.ok) {
          window.location.reload();
          return null;
        }
        return res.text();
      })
      .then(function (markup) {
        if (markup === null) return;
        var next = new window.DOMParser().parseFromString(markup, 'text/html').getElementById('export-progress');
        if (!next) {
          window.location.reload();
          return;
        }
        var status = next.getAttribute('data-status');
        box.innerHTML = next.innerHTML;
        box.setAttribute('data-status', status);
        if (status === 'ready') {
          var check = document.querySelector('.export-check');
          if (check) check.remove();
          announce.textContent = 'The export is ready to download.';
          return;
        }
        if (status !== 'queued' && status !== 'running') {
          // Failed: the page then offers to start again, a form this box does not hold.
          window.location.reload();
          return;
        }
        setTimeout(poll, 2000);
      })
      .catch(function () {
        // The server away for a moment: try again shortly.
        setTimeout(poll, 5000);
      });
  }
  setTimeout(poll, 1000);
})();
