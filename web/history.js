// history.js — « Historique »: past imports, newest first, 20 per page,
// filtered by state; per import: details, report, retry, cancel, revert,
// delete, each change confirmed first. The page and the filter live in the
// address (#/historique?etat=completed&page=2).
import * as api from './api.js';
import { h, fill, field, errorBox, announce } from './dom.js';
import * as f from './format.js';
import { confirmAction } from './modal.js';
import { go } from './app.js';

const RUNNING = ['queued', 'parsing', 'importing'];
const CANCELLABLE = ['uploaded', 'queued', 'parsing', 'ready', 'importing'];

function hashFor(state, page) {
  const q = new URLSearchParams();
  if (state) q.set('etat', state);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return `#/historique${s ? `?${s}` : ''}`;
}

export async function renderHistory(ctx, params) {
  const state = params.get('etat') || '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const q = new URLSearchParams({ page: String(page) });
  if (state) q.set('state', state);
  const [res, usersRes] = await Promise.all([
    api.get(`/api/imports?${q}`),
    api.get('/api/users').catch(() => ({ users: [] })),
  ]);
  /* Past the last page (its last import deleted, an address typed): the last page, in place. */
  if (res.total > 0 && page > res.pages) {
    location.replace(hashFor(state, res.pages));
    return;
  }
  const names = new Map((usersRes.users || []).map((u) => [u.id, u.name || u.email]));
  const msgs = h('div', { class: 'zone-etat' });

  const sel = h('select', { id: 'filtre-etat' },
    h('option', { value: '' }, 'Tous les états'),
    Object.entries(f.STATES).map(([k, label]) => h('option', { value: k, selected: k === state }, label)));
  sel.addEventListener('change', () => go(hashFor(sel.value, 1)));

  const act = (label, cls, run, name) => {
    const b = h('button', { type: 'button', class: cls || 'lien', 'aria-label': name }, label);
    b.addEventListener('click', async () => {
      fill(msgs);
      try { await run(); } catch (e) { fill(msgs, errorBox(e)); msgs.scrollIntoView({ block: 'nearest' }); }
    });
    return b;
  };
  const confirmed = async (title, text, okLabel, call, done) => {
    if (!(await confirmAction(title, text, okLabel, true))) return;
    await call();
    announce(done);
    go(hashFor(state, page));
  };

  function actions(j) {
    const id = j.job_id;
    const name = `l'import n° ${id} (« ${j.file} »)`;
    const out = [h('a', { href: `#/imports/${id}`, class: 'lien', 'aria-label': `Détails de l'import n° ${id}` }, 'Détails')];
    out.push(act('Rapport', 'lien', async () => {
      const r = await api.post(`/api/imports/${id}/report-link`);
      const a = h('a', { href: r.url, download: '', class: 'cache' });
      document.body.append(a); a.click(); a.remove();
      announce("Téléchargement du rapport d'erreurs");
    }, `Rapport d'erreurs de l'import n° ${id}`));
    if (j.status === 'failed' || j.status === 'cancelled') {
      out.push(act('Relancer', 'lien', () => confirmed('Relancer cet import ?', `${name} sera relancé.`, 'Relancer',
        () => api.post(`/api/imports/${id}/retry`), 'Import relancé'), `Relancer l'import n° ${id}`));
    }
    if (CANCELLABLE.includes(j.status)) {
      out.push(act('Annuler', 'lien', () => confirmed("Annuler l'import ?", `${name} sera arrêté ; ce qui est déjà enregistré le reste.`, "Annuler l'import",
        () => api.post(`/api/imports/${id}/cancel`), 'Import annulé'), `Annuler l'import n° ${id}`));
    }
    if (j.status === 'completed') {
      out.push(act('Défaire', 'lien', () => confirmed('Défaire cet import ?',
        `Les leads créés par ${name} seront supprimés et les valeurs modifiées remises comme avant.`, "Défaire l'import",
        () => api.post(`/api/imports/${id}/revert`), 'Import défait'), `Défaire l'import n° ${id}`));
    }
    if (!RUNNING.includes(j.status)) {
      out.push(act('Supprimer', 'lien danger-lien', () => confirmed('Supprimer cet import ?',
        `${name} sera effacé de l'historique avec son rapport et son fichier conservé. Ses leads restent dans le CRM.`, 'Supprimer',
        () => api.del(`/api/imports/${id}`), 'Import supprimé'), `Supprimer l'import n° ${id}`));
    }
    return h('div', { class: 'actions-ligne' }, out);
  }

  const list = res.imports || [];
  const table = list.length ? h('div', { class: 'defile' }, h('table', { class: 'tableau historique' },
    h('caption', { class: 'sr-only' }, 'Imports, du plus récent au plus ancien'),
    h('thead', null, h('tr', null, ['N°', 'Fichier', 'Date', 'Par', 'État', 'Lignes', 'Créés', 'Mis à jour', 'Ignorés', 'Invalides', 'Durée', 'Actions']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, list.map((j) => h('tr', null,
      h('td', { class: 'num', 'data-label': 'N°' }, String(j.job_id)),
      h('th', { scope: 'row', 'data-label': 'Fichier' }, j.file),
      h('td', { 'data-label': 'Date' }, f.dateTime(j.created_at)),
      h('td', { 'data-label': 'Par' }, j.created_by ? names.get(j.created_by) || `n° ${j.created_by}` : '—'),
      h('td', { 'data-label': 'État' }, h('span', { class: `etat etat-${j.status}` }, f.stateLabel(j.status))),
      h('td', { class: 'num', 'data-label': 'Lignes' }, f.num(j.rows)),
      h('td', { class: 'num', 'data-label': 'Créés' }, f.num(j.created)),
      h('td', { class: 'num', 'data-label': 'Mis à jour' }, f.num(j.updated)),
      h('td', { class: 'num', 'data-label': 'Ignorés' }, f.num(j.skipped)),
      h('td', { class: 'num', 'data-label': 'Invalides' }, f.num(j.invalid)),
      h('td', { 'data-label': 'Durée' }, f.duration(j.duration_s)),
      h('td', { 'data-label': 'Actions' }, actions(j))))))) : h('p', { class: 'vide' }, state ? 'Aucun import dans cet état.' : "Aucun import pour l'instant.");

  const pages = Math.max(1, res.pages || 1);
  const nav = h('nav', { class: 'pagination', 'aria-label': "Pages de l'historique" },
    page > 1 ? h('a', { href: hashFor(state, page - 1), class: 'bouton secondaire' }, 'Page précédente') : h('span'),
    h('p', { class: 'pagination-texte' }, `Page ${f.num(page)} sur ${f.num(pages)} — ${f.num(res.total)} import${res.total > 1 ? 's' : ''}`),
    page < pages ? h('a', { href: hashFor(state, page + 1), class: 'bouton secondaire' }, 'Page suivante') : h('span'));

  fill(ctx.main,
    h('h1', null, 'Historique'),
    h('section', { class: 'carte' },
      h('div', { class: 'choix-ligne' }, field('État', sel)),
      msgs, table, nav));
}
