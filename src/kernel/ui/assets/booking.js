// Progressive enhancement for the booking page: on a phone the days are a strip that scrolls sideways, and a page
// opens with the strip at its start, so a day chosen late in the month would sit out of sight. Scroll the strip
// (only the strip, never the page) so the chosen day shows. Without this script every day is still a plain link.
(function () {
  var chosen = document.querySelector('.day-grid [aria-current="date"]');
  var strip = chosen && chosen.closest('.day-grid');
  if (!strip || strip.scrollWidth <= strip.clientWidth) return;
  var box = chosen.getBoundingClientRect();
  var from = strip.getBoundingClientRect().left + strip.clientLeft;
  // Centred in the strip where it can be.
  var target = strip.scrollLeft + box.left - from - (strip.clientWidth - box.width) / 2;
  strip.scrollLeft = Math.max(0, Math.min(target, strip.scrollWidth - strip.clientWidth));
})();
