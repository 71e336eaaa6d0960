/**
 * The receiver dashboard (issue 8): login, then links, shipments (live), consent and the audit trail behind
 * it. Hash routes keep it one static page (no server routes to configure); every view is rendered with
 * textContent only (dom.ts), and no inline script or style exists, so the portal's strict CSP holds.
 */
import './dashboard.css';
import { createApi } from './api.ts';
import { h, replaceChildren } from './dom.ts';
import { language, setLanguage, t, type MessageKey } from './i18n.ts';
import { openLiveFeed, type LiveFeed } from './live.ts';
import { toMe, type Me } from './model.ts';
import type { View, ViewContext } from './view.ts';
import { auditView } from './views/audit.ts';
import { linkFormView } from './views/link-form.ts';
import { linksView } from './views/links.ts';
import { loginView } from './views/login.ts';
import { shipmentView } from './views/shipment.ts';
import { shipmentsView } from './views/shipments.ts';

const root = document.getElementById('app')!;
const announcer = h('div', { class: 'visually-hidden', 'aria-live': 'polite', id: 'announcer' });
let me: Me | undefined;
let view: View | undefined;
let live: LiveFeed | undefined;
let sessionCheck: ReturnType<typeof setInterval> | undefined;
/** The portal's idle limit for sessions (server/portal/receiver/sessions.ts SESSION_IDLE_MS). */
const IDLE_MS = 2 * 3_600_000;
let lastActivity = Date.now();
for (const type of ['pointerdown', 'keydown']) window.addEventListener(type, () => (lastActivity = Date.now()), { passive: true, capture: true });

// Only a session we had can expire; a first visit without one simply shows the login form.
const api = createApi(() => {
  if (me) sessionLost(t('login.expired'));
});

type Route = readonly [pattern: RegExp, title: MessageKey, make: (ctx: ViewContext, match: RegExpExecArray) => View];
const routes: readonly Route[] = [
  [/^#\/shipments\/([^/]+)$/, 'shipment.id', (ctx, m) => shipmentView(ctx, decodeURIComponent(m[1]!))],
  [/^#\/shipments$/, 'nav.shipments', (ctx) => shipmentsView(ctx)],
  [/^#\/links\/new$/, 'newLink.title', (ctx) => linkFormView(ctx)],
  [/^#\/links$/, 'links.title', (ctx) => linksView(ctx)],
  [/^#\/audit$/, 'audit.title', (ctx) => auditView(ctx)],
];

function announce(text: string): void {
  // Clearing first makes screen readers repeat an identical message.
  announcer.textContent = '';
  setTimeout(() => (announcer.textContent = text), 50);
}

function header(current: string): HTMLElement {
  const item = (hash: string, key: Parameters<typeof t>[0]) => h('li', {}, h('a', { href: hash, 'aria-current': current.startsWith(hash) && (hash !== '#/links' || !current.startsWith('#/links/new')) ? 'page' : null }, t(key)));
  const skip = h('a', { class: 'skip', href: '#main' }, t('app.skip'));
  skip.addEventListener('click', (event) => {
    event.preventDefault(); // the hash belongs to the router
    document.getElementById('main')?.focus();
  });
  const languageButton = h('button', { type: 'button', class: 'link', lang: language() === 'nl' ? 'en' : 'nl', 'aria-label': t('nav.languageLabel') }, t('nav.language'));
  languageButton.addEventListener('click', () => {
    setLanguage(language() === 'nl' ? 'en' : 'nl');
    render();
    document.querySelector<HTMLElement>('header.top button[lang]')?.focus(); // the header was rebuilt: keep the keyboard user's place
  });
  const logout = h('button', { type: 'button', class: 'link', 'data-action': 'logout' }, t('nav.logout'));
  logout.addEventListener('click', () => {
    api.post('/api/receiver/logout').catch(() => undefined).finally(() => sessionLost(t('login.loggedOut')));
  });
  return h('header', { class: 'top' }, skip,
    h('span', { class: 'brand' }, t('app.name')),
    h('nav', { 'aria-label': t('nav.label') }, h('ul', {},
      item('#/shipments', 'nav.shipments'), item('#/links', 'nav.links'), item('#/links/new', 'nav.newLink'), item('#/audit', 'nav.audit'))),
    h('span', { class: 'user' }, t('nav.signedInAs', { name: me?.name ?? '' })),
    h('span', { class: 'live', id: 'live-status', role: 'status' }),
    languageButton, logout);
}

function setLiveStatus(connected: boolean): void {
  const status = document.getElementById('live-status');
  if (!status) return;
  status.textContent = connected ? t('live.connected') : t('live.disconnected');
  status.dataset.connected = String(connected);
}

function render(moveFocus = false): void {
  document.title = t('app.title');
  view?.dispose?.();
  view = undefined;
  if (!me) return;
  const hash = location.hash || '#/shipments';
  const found = routes.map((route) => [route[0].exec(hash), route] as const).find(([match]) => match);
  if (!found) {
    location.replace('#/shipments');
    return;
  }
  const [match, [, title, make]] = found;
  const ctx: ViewContext = { api, me, announce, navigate: (next) => (location.hash = next) };
  view = make(ctx, match!);
  // WCAG 2.4.2: each view has its own title; after navigating, focus moves to the new content (2.4.3).
  document.title = `${t(title)} — ${t('app.name')}`;
  replaceChildren(root, header(hash), view.element, announcer);
  if (moveFocus) view.element.focus();
  setLiveStatus(live !== undefined);
}

function startSession(user: Me): void {
  me = user;
  live?.close();
  live = openLiveFeed((change) => view?.onChange?.(change), (connected) => {
    setLiveStatus(connected);
    // EventSource cannot see a 401; ask the API, which returns to the login form if the session is gone.
    if (!connected) api.get('/api/receiver/me').catch(() => undefined);
  });
  // Idle expiry follows the person, not the page: live reloads call the API (and so keep the server session
  // fresh) while nobody is at the screen. After IDLE_MS without a key press or pointer action we log out.
  lastActivity = Date.now();
  clearInterval(sessionCheck);
  sessionCheck = setInterval(() => {
    if (Date.now() - lastActivity < IDLE_MS) return;
    api.post('/api/receiver/logout').catch(() => undefined).finally(() => sessionLost(t('login.expired')));
  }, 30_000);
  render();
}

function sessionLost(notice: string): void {
  if (!me && root.querySelector('.login-page')) return;
  me = undefined;
  api.csrfToken = undefined;
  live?.close();
  live = undefined;
  clearInterval(sessionCheck);
  view?.dispose?.();
  view = undefined;
  document.title = t('app.title');
  // The route stays in location.hash, so after login the user is back where they were.
  replaceChildren(root, loginView(api, notice, startSession), announcer);
}

window.addEventListener('hashchange', () => render(true));
document.documentElement.lang = language();
api.get<unknown>('/api/receiver/me')
  .then((body) => {
    const user = toMe(body);
    api.csrfToken = user.csrfToken;
    startSession(user);
  })
  .catch(() => sessionLost(''));
