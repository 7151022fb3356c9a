// help.js — the help pages (the user guide, the error codes), embedded in
// the server from docs/ and shown here: a small Markdown reader for what
// those pages use (headings, paragraphs, lists, tables, code, links,
// images, emphasis). Text is inserted as text, never as markup.
import { h, fill, errorBox } from './dom.js';

const PAGES = { 'guide-import': "Guide d'utilisation", erreurs: "Messages d'erreur et d'avertissement" };

/** The anchor GitHub gives a heading: lower case, accents kept, punctuation dropped, spaces to "-". */
function slug(text) {
  return text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
}

function link(href, children) {
  let target = href;
  const m = /^(?:\.\/)?([\w-]+)\.md(?:#(.*))?$/.exec(href);
  if (m && PAGES[m[1]]) target = `#/aide/${m[1]}${m[2] ? `/${m[2]}` : ''}`;
  else if (href.startsWith('#')) target = null; // set by the caller: an anchor of this page
  else if (/^[\w-]+\.md/.test(href)) target = null; // another doc, not served: plain text
  if (href.startsWith('#')) return h('a', { href: '#', dataset: { ancre: href.slice(1) } }, children);
  if (!target) return h('span', null, children);
  const ext = /^https?:/.test(target);
  return h('a', { href: target, rel: ext ? 'noopener' : null }, children);
}

/** Inline Markdown: `code`, **bold**, *em*, [text](href), ![alt](src). */
function inline(text) {
  const out = [];
  const re = /(`[^`]+`)|(!\[[^\]]*\]\([^)]+\))|(\[[^\]]+\]\([^)]+\))|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const t = m[0];
    if (m[1]) out.push(h('code', null, t.slice(1, -1)));
    else if (m[2]) {
      const [, alt, src] = /^!\[([^\]]*)\]\(([^)\s]+)[^)]*\)$/.exec(t);
      const url = src.startsWith('img/') ? `/aide/${src}` : null;
      out.push(url ? h('img', { src: url, alt, loading: 'lazy' }) : h('span', null, alt));
    } else if (m[3]) {
      const [, label, href] = /^\[([^\]]+)\]\(([^)\s]+)[^)]*\)$/.exec(t);
      out.push(link(href, inline(label)));
    } else if (m[4]) out.push(h('strong', null, inline(t.slice(2, -2))));
    else out.push(h('em', null, inline(t.slice(1, -1))));
    last = m.index + t.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function cells(line) {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

export function renderMarkdown(md) {
  const lines = md.replace(/\r/g, '').split('\n');
  const out = [];
  let i = 0;
  let tables = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) { i++; continue; }
    let m;
    if ((m = /^```/.exec(line))) {
      const code = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(lines[i]);
      i++;
      out.push(h('pre', { tabindex: '0' }, h('code', null, code.join('\n'))));
    } else if ((m = /^(#{1,4})\s+(.*)$/.exec(line))) {
      const level = Math.min(6, Math.max(2, m[1].length)); // the page's h1 is its title
      out.push(h(`h${level}`, { id: slug(m[2]) }, inline(m[2])));
      i++;
    } else if (/^\|/.test(line) && i + 1 < lines.length && /^\|?\s*:?-{3,}/.test(lines[i + 1])) {
      const head = cells(line);
      const body = [];
      for (i += 2; i < lines.length && /^\|/.test(lines[i]); i++) body.push(cells(lines[i]));
      tables += 1;
      out.push(h('div', { class: 'defile', tabindex: '0', role: 'region', 'aria-label': `Tableau ${tables}` }, h('table', { class: 'tableau' },
        h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, inline(c))))),
        h('tbody', null, body.map((r) => {
          const code = /^`([a-z0-9_]+)`$/.exec(r[0] || '');
          return h('tr', { id: code ? code[1] : null }, r.map((c) => h('td', null, inline(c))));
        })))));
    } else if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items = [];
      while (i < lines.length && lines[i].trim()) {
        const lm = /^\s*(?:[-*]|\d+\.)\s+(.*)$/.exec(lines[i]);
        if (lm) items.push(lm[1]); else items[items.length - 1] += ` ${lines[i].trim()}`;
        i++;
      }
      out.push(h(ordered ? 'ol' : 'ul', null, items.map((t) => h('li', null, inline(t)))));
    } else if (/^>\s?/.test(line)) {
      const q = [];
      for (; i < lines.length && /^>\s?/.test(lines[i]); i++) q.push(lines[i].replace(/^>\s?/, ''));
      out.push(h('blockquote', null, inline(q.join(' '))));
    } else {
      const p = [];
      for (; i < lines.length && lines[i].trim() && !/^(#{1,4}\s|```|\||\s*([-*]|\d+\.)\s)/.test(lines[i]); i++) p.push(lines[i].trim());
      if (!p.length) { p.push(lines[i]); i++; }
      out.push(h('p', null, inline(p.join(' '))));
    }
  }
  return out;
}

export async function renderHelp(ctx, name, anchor) {
  const title = PAGES[name];
  if (!title) { location.replace('#/aide/guide-import'); return; }
  document.title = `${title} — leadimport`;
  const nav = h('p', { class: 'liens-aide' },
    Object.entries(PAGES).map(([k, t], i) => [i ? ' · ' : '', k === name ? h('strong', null, t) : h('a', { href: `#/aide/${k}` }, t)]));
  let body;
  try {
    const res = await fetch(`/aide/${name}.md`, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(res.status === 404 ? "Cette page d'aide n'est pas encore disponible." : `Le serveur a répondu ${res.status}.`);
    const md = await res.text();
    // the document's own title becomes the page's
    body = renderMarkdown(md.replace(/^#\s+.*\n/, ''));
  } catch (e) {
    body = [errorBox(e.message)];
  }
  const article = h('article', { class: 'carte aide' }, body);
  fill(ctx.main, h('h1', { tabindex: '-1' }, title), nav, article);
  article.addEventListener('click', (ev) => {
    const a = ev.target.closest('a[data-ancre]');
    if (!a) return;
    ev.preventDefault();
    location.hash = `#/aide/${name}/${a.dataset.ancre}`;
  });
  const target = anchor ? document.getElementById(anchor) : null;
  if (target) {
    target.classList.add('cible');
    target.setAttribute('tabindex', '-1');
    target.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
  } else {
    ctx.main.querySelector('h1').focus();
  }
}
