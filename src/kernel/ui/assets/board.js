// The nurse board, live: when the server says the location's day changed, fetch the cards again and replace those
// that differ (a card left as it was keeps the focus of anyone on it). Without JavaScript the page's refresh link
// does the same by hand.
(function () {
  var box = document.getElementById('board-cards');
  if (!box || !window.EventSource || !window.fetch) return;
  var cardsUrl = box.getAttribute('data-cards');
  var busy = false;
  var again = false;

  function swap(markup) {
    var next = document.createElement('div');
    next.innerHTML = markup;
    var oldList = box.querySelector('.board-cards');
    var newList = next.querySelector('.board-cards');
    if (!oldList || !newList || oldList.children.length !== newList.children.length) {
      box.innerHTML = markup;
      return;
    }
    for (var i = 0; i < newList.children.length; i++) {
      var fresh = newList.children[i];
      var old = oldList.children[i];
      if (old.id !== fresh.id || old.innerHTML !== fresh.innerHTML || old.className !== fresh.className) {
        old.replaceWith(fresh.cloneNode(true));
      }
    }
    var stamp = box.querySelector('.board-updated');
    var newStamp = next.querySelector('.board-updated');
    if (stamp && newStamp) stamp.textContent = newStamp.textContent;
  }

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(cardsUrl, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) {
        // Anything but the cards (signed out, the location gone): load the page itself, which says what happened.
        if (!res.ok || res.headers.get('x-board-cards') !== '1') {
          window.location.reload();
          return null;
        }
        return res.text();
      })
      .then(function (markup) {
        if (markup !== null) swap(markup);
      })
      .catch(function () {
        // The server away for a moment: keep the cards; the stream reconnects and asks again.
      })
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  var events = new window.EventSource(box.getAttribute('data-events'));
  var dropped = false;
  events.addEventListener('change', refresh);
  events.addEventListener('error', function () {
    dropped = true;
  });
  // Back after a drop: something may have changed meanwhile.
  events.addEventListener('open', function () {
    if (dropped) {
      dropped = false;
      refresh();
    }
  });
})();
