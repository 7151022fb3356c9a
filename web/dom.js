// dom.js — building elements without innerHTML: every text from the server
// (file names, cell values, messages) goes in as text, never as markup.

let uid = 0;

/** A unique id for label/for pairs and aria references. */
export function newId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * h('button', {class: 'primaire', onclick: f, type: 'button'}, 'Texte', child...)
 * Attributes: on* are listeners, true/false toggle boolean attributes,
 * null/undefined are skipped; children: strings, nodes, arrays, null.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the content of el. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled field: [label, control], the label tied by for/id. */
export function field(labelText, control, hint) {
  if (!control.id) control.id = newId('champ');
  const parts = [h('label', { for: control.id }, labelText)];
  let hintEl = null;
  if (hint) {
    hintEl = h('p', { class: 'aide-champ', id: newId('aide') }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', { class: 'champ' }, parts, control, hintEl);
}

/** Says text to screen readers (the page's one polite live region). */
export function announce(text) {
  const el = document.getElementById('annonce');
  if (!el) return;
  el.textContent = '';
  // a new text node after a tick, so that the same sentence is said again
  setTimeout(() => { el.textContent = text; }, 30);
}

/** An error box (role alert) for an ApiError or a text. */
export function errorBox(e) {
  const msg = typeof e === 'string' ? e : e.message;
  return h('div', { class: 'boite erreur', role: 'alert' }, msg);
}

/** A progress bar with its visible label. */
export function progressBar(labelText, id) {
  const pid = id || newId('progression');
  const bar = h('progress', { id: pid, max: '100' });
  return { el: h('div', { class: 'progression' }, h('label', { for: pid }, labelText), bar), bar };
}
