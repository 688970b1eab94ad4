// Progressive enhancement only: every page works without JavaScript.
/* global document, window, DOMParser */
import { initAll } from '/assets/govuk/govuk-frontend.min.js';

initAll();

// A view that updates itself (a contact file's progress): the [data-cdsp-refresh] region is read again from its own
// page every few seconds and replaced in place; once the page no longer has one (finished), the page's main content
// is replaced with the finished page's. Without JavaScript the region offers a refresh link.
const live = document.querySelector('[data-cdsp-refresh]');
if (live) {
  const seconds = Math.max(Number(live.getAttribute('data-cdsp-refresh')) || 3, 1);
  const tick = async () => {
    try {
      const res = await fetch(window.location.href, {
        headers: { accept: 'text/html' },
        credentials: 'same-origin',
      });
      if (res.ok) {
        const next = new DOMParser().parseFromString(await res.text(), 'text/html');
        const region = next.querySelector('[data-cdsp-refresh]');
        const main = document.querySelector('main');
        const nextMain = next.querySelector('main');
        if (!region) {
          if (main && nextMain) main.innerHTML = nextMain.innerHTML;
          return;
        }
        live.innerHTML = region.innerHTML;
      }
    } catch {
      // offline for a moment: try again at the next tick
    }
    setTimeout(tick, seconds * 1000);
  };
  setTimeout(tick, seconds * 1000);
}
