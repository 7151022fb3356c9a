// modal.js — dialogs: the rows of an import (20 per page, with the row
// number the spreadsheet shows, the French errors and the raw values) and
// the confirmation asked before anything that changes data. Both are
// <dialog> opened with showModal(): the rest of the page is inert, Escape
// closes, focus stays inside (Tab wraps) and goes back where it was.
import * as api from './api.js';
import { h, fill, errorBox, announce } from './dom.js';
import { num } from './format.js';

function trapFocus(dlg) {
  dlg.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Tab') return;
    const items = [...dlg.querySelectorAll('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')]
      .filter((el) => !el.disabled && el.offsetParent !== null);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); }
    else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
  });
}

function openDialog(dlg, onClose) {
  const back = document.activeElement;
  document.body.append(dlg);
  trapFocus(dlg);
  dlg.addEventListener('close', () => {
    dlg.remove();
    if (onClose) onClose();
    if (back && back.isConnected) back.focus();
  });
  dlg.showModal();
}

/** Asks before a change; resolves true when confirmed. */
export function confirmAction(title, text, okLabel, danger) {
  return new Promise((resolve) => {
    let ok = false;
    const tid = `titre-confirm-${Date.now()}`;
    const okBtn = h('button', { type: 'button', class: danger ? 'danger' : 'primaire', onclick: () => { ok = true; dlg.close(); } }, okLabel);
    const dlg = h('dialog', { class: 'dialogue etroit', 'aria-labelledby': tid },
      h('h2', { id: tid }, title),
      h('p', null, text),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondaire', onclick: () => dlg.close() }, 'Retour'),
        okBtn));
    openDialog(dlg, () => resolve(ok));
    okBtn.focus();
  });
}

const FILTER_TITLES = {
  invalid: 'Lignes invalides',
  warning: 'Lignes avec avertissements',
  duplicate: 'Doublons',
  valid: 'Lignes valides',
  all: 'Toutes les lignes',
};

const STATUS_WORDS = {
  invalid: 'invalide', valid: 'valide', warning: 'avertissement', duplicate: 'doublon',
  imported: 'importée', created: 'créée', updated: 'mise à jour', skipped: 'ignorée',
};

/** The rows of import id that filter keeps, 20 per page. */
export function openRows(id, filter) {
  const title = FILTER_TITLES[filter] || FILTER_TITLES.all;
  const tid = `titre-lignes-${id}`;
  const body = h('div', { class: 'lignes-corps', tabindex: '0', role: 'region', 'aria-label': 'Lignes de la page' });
  const where = h('p', { class: 'pagination-texte', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', class: 'secondaire' }, 'Page précédente');
  const next = h('button', { type: 'button', class: 'secondaire' }, 'Page suivante');
  const close = h('button', { type: 'button', class: 'fermer', 'aria-label': 'Fermer' }, '×');
  const dlg = h('dialog', { class: 'dialogue large', 'aria-labelledby': tid },
    h('div', { class: 'dialogue-tete' }, h('h2', { id: tid }, `${title} — import n° ${id}`), close),
    body,
    h('div', { class: 'pagination' }, prev, where, next));
  let page = 1;
  let pages = 1;

  async function load(n) {
    prev.disabled = true;
    next.disabled = true;
    fill(where, 'Chargement…');
    try {
      const res = await api.get(`/api/imports/${id}/rows?status=${encodeURIComponent(filter)}&page=${n}`);
      page = res.page;
      pages = Math.max(1, res.pages);
      fill(body, rowsTable(res.rows));
      fill(where, `Page ${num(page)} sur ${num(pages)} — ${num(res.total)} ligne${res.total > 1 ? 's' : ''}`);
      body.scrollTop = 0;
    } catch (e) {
      fill(body, errorBox(e));
      fill(where, '');
    }
    prev.disabled = page <= 1;
    next.disabled = page >= pages;
  }
  close.addEventListener('click', () => dlg.close());
  prev.addEventListener('click', () => { load(page - 1).then(() => (prev.disabled ? next : prev).focus()); });
  next.addEventListener('click', () => { load(page + 1).then(() => (next.disabled ? prev : next).focus()); });
  openDialog(dlg);
  close.focus();
  load(1).then(() => announce(`${title} : ${where.textContent}`));
}

function rowsTable(rows) {
  if (!rows.length) return h('p', { class: 'vide' }, 'Aucune ligne.');
  return h('table', { class: 'tableau lignes' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Ligne'),
      h('th', { scope: 'col' }, 'Statut'),
      h('th', { scope: 'col' }, 'Erreurs'),
      h('th', { scope: 'col' }, "Valeurs d'origine"))),
    h('tbody', null, rows.map((r) => h('tr', null,
      h('th', { scope: 'row', class: 'num', 'data-label': 'Ligne' }, num(r.row)),
      h('td', { 'data-label': 'Statut' }, STATUS_WORDS[r.status] || r.status),
      h('td', { 'data-label': 'Erreurs' }, r.errors && r.errors.length
        ? h('ul', { class: 'erreurs' }, r.errors.map((e) => h('li', null, e)))
        : '—'),
      h('td', { 'data-label': "Valeurs d'origine" }, h('dl', { class: 'valeurs' }, Object.entries(r.values || {}).map(([k, v]) => [
        h('dt', null, k), h('dd', null, v === '' ? h('span', { class: 'discret' }, '(vide)') : v)])))))));
}
