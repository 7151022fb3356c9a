// app.js — the page's start and its hash routes. A route is the whole state
// a person needs to find again after a reload or in a reopened tab:
//   #/connexion                 log in
//   #/nouvel-import             step 1 of the wizard: the file
//   #/imports/ID                the import ID at its current step (columns,
//                               analysis, review, import running, summary)
//   #/imports/ID/options        the options step of a ready import
//   #/historique?etat=S&page=N  the history
//   #/aide/guide-import, #/aide/erreurs[/ancre]   the help pages
//   #/reserve                   what a commercial sees: imports are for admins
import * as api from './api.js';
import { h, fill, errorBox } from './dom.js';
import { renderLogin } from './login.js';
import { renderNewImport, renderImport } from './wizard.js';
import { renderHistory } from './history.js';
import { renderHelp } from './help.js';

const main = document.getElementById('contenu');
const state = { session: null, leave: null, after: null };

export function currentUser() {
  return state.session && state.session.user;
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query] = raw.split('?');
  const params = new URLSearchParams(query || '');
  return { parts: path.split('/').filter(Boolean), params };
}

function setChrome() {
  const user = currentUser();
  document.getElementById('nav').hidden = !user || user.role !== 'admin';
  const compte = document.getElementById('compte');
  compte.hidden = !user;
  if (user) document.getElementById('compte-nom').textContent = user.name || user.email;
  const { parts } = parseHash();
  for (const a of document.querySelectorAll('[data-nav]')) {
    const here = a.dataset.nav === parts[0] || (a.dataset.nav === 'nouvel-import' && parts[0] === 'imports');
    if (here) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

/** A fresh page: stops what the previous one followed, focuses the main heading. */
function page(title) {
  if (state.leave) { state.leave(); state.leave = null; }
  document.title = `${title} — leadimport`;
  fill(main);
  return {
    main,
    onLeave(f) { state.leave = f; },
  };
}

export function focusHeading() {
  const h1 = main.querySelector('h1');
  if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: false }); }
}

async function loadSession() {
  try {
    state.session = await api.get('/api/session');
    api.setCsrf(state.session.csrf_token);
  } catch (e) {
    if (e.status !== 401) throw e;
    state.session = null;
  }
}

function renderReserved(ctx) {
  const user = currentUser();
  fill(ctx.main, h('section', { class: 'carte etroite' },
    h('h1', null, 'Imports réservés aux administrateurs'),
    h('p', null, `Bonjour ${user.name || user.email}. Votre compte est un compte commercial : l'import de fichiers de leads est réservé aux administrateurs.`),
    h('p', null, "Pour faire importer un fichier, adressez-le à un administrateur de votre équipe. Les leads qui vous sont attribués apparaissent dans le CRM.")));
}

async function route() {
  const { parts, params } = parseHash();
  const user = currentUser();
  if (!user) {
    // after the login, back to where the address pointed (a reopened tab on an import)
    if (parts[0] !== 'connexion') { state.after = location.hash; location.replace('#/connexion'); return; }
    setChrome();
    renderLogin(page('Connexion'), async (session) => {
      state.session = session;
      api.setCsrf(session.csrf_token);
      const after = state.after;
      state.after = null;
      go(session.user.role === 'admin' ? after || '#/nouvel-import' : '#/reserve');
    });
    focusHeading();
    return;
  }
  if (user.role !== 'admin' && parts[0] !== 'aide') {
    if (parts[0] !== 'reserve') { location.replace('#/reserve'); return; }
    setChrome();
    renderReserved(page('Imports réservés aux administrateurs'));
    focusHeading();
    return;
  }
  setChrome();
  try {
    switch (parts[0]) {
      case 'nouvel-import':
        renderNewImport(page('Nouvel import'));
        break;
      case 'imports': {
        const id = Number(parts[1]);
        if (!Number.isInteger(id) || id < 1) { location.replace('#/historique'); return; }
        await renderImport(page(`Import n° ${id}`), id, parts[2] || null);
        break;
      }
      case 'historique':
        await renderHistory(page('Historique'), params);
        break;
      case 'aide':
        await renderHelp(page('Aide'), parts[1] || 'guide-import', parts[2] || null);
        return; // the help page scrolls to its anchor itself
      default:
        location.replace('#/nouvel-import');
        return;
    }
  } catch (e) {
    if (e.status === 401) return;
    if (!(e instanceof api.ApiError)) {
      console.error(e); // a fault of the page itself: said in French, detailed in the console
      e = new Error("Une erreur inattendue est survenue dans la page. Rechargez-la ; si l'erreur persiste, signalez-la à votre administrateur.");
    }
    fill(main, h('h1', null, 'Erreur'), errorBox(e));
  }
  focusHeading();
}

async function logout() {
  try { await api.del('/api/session'); } catch (_) { /* the session is gone either way */ }
  state.session = null;
  api.setCsrf(null);
  go('#/connexion');
}

async function start() {
  api.setSessionLost(() => {
    state.session = null;
    if (!location.hash.startsWith('#/connexion')) { state.after = location.hash; location.hash = '#/connexion'; }
  });
  document.getElementById('deconnexion').addEventListener('click', logout);
  document.getElementById('lien-contenu').addEventListener('click', (ev) => {
    ev.preventDefault();
    main.focus();
  });
  try {
    await loadSession();
  } catch (e) {
    fill(main, h('h1', null, 'Serveur injoignable'), errorBox(e));
    return;
  }
  window.addEventListener('hashchange', route);
  route();
}

start();
