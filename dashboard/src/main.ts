import 'uplot/dist/uPlot.min.css';
import './style.css';
import { logout, session } from './api';
import { functionPage, functionsPage, loginPage, platformPage, tryPage } from './pages';

// A single page with hash routes: switching pages closes the old page's stream and opens one.
const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
const who = document.getElementById('who')!;
const liveNote = document.getElementById('live')!;
const logoutButton = document.getElementById('logout') as HTMLButtonElement;
let close: () => void = () => {};

const live = (s: string) => { liveNote.textContent = s === 'live' ? '' : s; };

async function route(): Promise<void> {
  close();
  const viewer = await session();
  if (!viewer) {
    nav.hidden = true; logoutButton.hidden = true; who.textContent = '';
    close = loginPage(main, () => { void route(); });
    return;
  }
  nav.hidden = false; logoutButton.hidden = false;
  who.textContent = viewer.role === 'operator' ? 'operator' : `user ${viewer.user}`;
  const [page, arg] = location.hash.replace(/^#\/?/, '').split('/');
  for (const a of nav.querySelectorAll('a')) {
    a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${page || 'functions'}`);
  }
  const name = decodeURIComponent(arg ?? '');
  close = page === 'function' ? functionPage(main, name, live)
    : page === 'try' ? tryPage(main, name, live)
    : page === 'platform' ? platformPage(main, live)
    : functionsPage(main, live);
}

logoutButton.addEventListener('click', async () => { await logout(); location.hash = '#/functions'; void route(); });
window.addEventListener('hashchange', () => { void route(); });
void route();
