// Progressive enhancement for staff pages: warn two minutes before the idle sign-out and offer to stay.
(function () {
  var idleMs = Number(document.body.getAttribute('data-idle-ms'));
  var warning = document.getElementById('idle-warning');
  var stay = document.getElementById('idle-stay');
  if (!idleMs || !warning || !stay) return;
  var expires = Date.now() + idleMs;
  function check() {
    var left = expires - Date.now();
    if (left <= 0) {
      window.location.href = '/staff/sign-in?reason=idle';
      return;
    }
    warning.hidden = left > 120000;
    setTimeout(check, Math.min(Math.max(left - 120000, 1000), 30000));
  }
  stay.addEventListener('click', function () {
    var token = document.querySelector('input[name="_csrf"]');
    fetch('/staff/session/keep-alive', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '_csrf=' + encodeURIComponent(token ? token.value : ''),
    }).then(function (res) {
      if (res.ok) {
        expires = Date.now() + idleMs;
        warning.hidden = true;
      }
    });
  });
  check();
})();
