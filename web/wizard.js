// wizard.js — « Nouvel import »: the file, its columns, the analysis and
// its review, the options, the import followed live, the summary. Each
// step after the file is a view of one import (#/imports/ID), chosen from
// the import's state as the API gives it, so that a reload or a reopened
// tab shows the same import where it is. Every rule is the API's: the
// page sends choices and shows what the server answers.
import * as api from './api.js';
import { h, fill, field, errorBox, announce, progressBar, newId } from './dom.js';
import * as f from './format.js';
import { openRows, confirmAction } from './modal.js';
import { go } from './app.js';

const STEPS = ['Fichier', 'Colonnes', 'Vérification', 'Options', 'Import', 'Résumé'];

// The fields a column can feed (keys and French labels of the catalogue of
// fields; the server checks every choice).
const FIELDS = [
  ['first_name', 'Prénom'], ['last_name', 'Nom'], ['full_name', 'Nom complet'],
  ['email', 'E-mail'], ['phone', 'Téléphone'], ['company', 'Société'],
  ['job_title', 'Poste'], ['address', 'Adresse'], ['postal_code', 'Code postal'],
  ['city', 'Ville'], ['country', 'Pays'], ['source', 'Source'], ['notes', 'Notes'],
  ['external_id', 'ID externe'], ['owner', 'Commercial'], ['assignee', 'Assigné à'],
  ['ignore', 'Ignorer la colonne'],
];

const REASONS = {
  header: 'nom de colonne reconnu',
  fuzzy: 'nom de colonne proche (faute de frappe)',
  values: 'reconnu à ses valeurs',
  names: 'prénoms reconnus dans les valeurs',
  override: 'choisi à la main',
  template: 'correspondance enregistrée choisie',
  remembered: 'correspondance mémorisée pour ces en-têtes',
  export: 'export reconnu',
  report: "rapport d'erreurs de leadimport",
  custom: 'non reconnu : gardé en champ personnalisé',
};

const STRATEGIES = [
  ['skip', 'Ignorer', 'Le lead existant est gardé tel quel.'],
  ['update', 'Mettre à jour', 'Le lead existant est complété avec les valeurs du fichier.'],
  ['create', 'Créer quand même', 'Un nouveau lead est créé, signalé comme doublon possible.'],
];

const MATCH_KEYS = [['email', 'E-mail'], ['phone', 'Téléphone'], ['external_id', 'ID externe']];

function stepper(current) {
  return h('ol', { class: 'etapes', 'aria-label': "Étapes de l'import" },
    STEPS.map((s, i) => h('li', {
      class: i < current ? 'faite' : i === current ? 'courante' : null,
      'aria-current': i === current ? 'step' : null,
    }, h('span', { class: 'etape-num', 'aria-hidden': 'true' }, String(i + 1)), h('span', null, s))));
}

function header(ctx, job, step) {
  const title = job ? `Import n° ${job.job_id} — ${job.file}` : 'Nouvel import';
  return [h('h1', null, title), stepper(step)];
}

function helpLinks() {
  return h('p', { class: 'liens-aide' },
    h('a', { href: '/api/template.csv', download: 'modele-leads.csv' }, 'Télécharger le modèle CSV'),
    ' · ',
    h('a', { href: '#/aide/guide-import' }, "Guide d'utilisation"));
}

/* --- step 1: the file ----------------------------------------------------------- */

export function renderNewImport(ctx) {
  const input = h('input', { type: 'file', id: 'fichier', name: 'fichier', accept: '.csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  // The browser's own button speaks the browser's language: the input is
  // hidden visually (still focusable, still the labelled control) behind a
  // French one that opens it.
  input.classList.add('fichier-natif');
  const picker = h('span', { class: 'bouton secondaire', 'aria-hidden': 'true' }, 'Choisir un fichier…');
  picker.addEventListener('click', () => input.click());
  const zone = h('div', { class: 'depot' },
    h('div', { class: 'depot-icone', 'aria-hidden': 'true' }),
    h('p', { class: 'depot-texte' }, 'Déposez ici un fichier CSV ou Excel (.xlsx)'),
    h('p', { class: 'discret' }, 'ou'),
    h('div', { class: 'champ champ-fichier' }, h('label', { for: 'fichier' }, 'Fichier'), input, picker));
  // a constant drawing, no data in it
  zone.querySelector('.depot-icone').innerHTML = '<svg width="40" height="40" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"><path d="M12 16V4M7 9l5-5 5 5"/><path d="M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3"/></svg>';
  const status = h('div', { class: 'zone-etat' });
  const section = h('section', { class: 'carte' },
    h('h2', null, 'Choisir le fichier'),
    h('p', null, "Le fichier doit avoir une ligne d'en-tête. leadimport reconnaît les colonnes, vérifie chaque ligne et vous montre le résultat avant d'importer quoi que ce soit."),
    zone, status, helpLinks());
  fill(ctx.main, header(ctx, null, 0), section);

  let busy = false;
  async function send(file, force) {
    if (busy) return;
    busy = true;
    input.disabled = true;
    const p = progressBar(`Envoi de « ${file.name} »`);
    const text = h('p', { class: 'discret', 'aria-live': 'off' }, '0 %');
    fill(status, p.el, text);
    announce(`Envoi de ${file.name} commencé`);
    try {
      const res = await api.upload(file, force, (sent, total) => {
        p.bar.value = Math.round((100 * sent) / total);
        text.textContent = `${f.pct(sent, total)} — ${f.size(sent)} sur ${f.size(total)}`;
      });
      p.bar.value = 100;
      announce('Fichier envoyé');
      go(`#/imports/${res.body.job_id}`);
    } catch (e) {
      if (e.status === 409 && e.body && e.body.previous_job_id) {
        const prevId = e.body.previous_job_id;
        const again = h('button', { type: 'button', class: 'secondaire' }, 'Importer quand même');
        again.addEventListener('click', () => send(file, true));
        fill(status, h('div', { class: 'boite attention', role: 'alert' },
          h('p', null, e.message),
          h('p', null, h('a', { href: `#/imports/${prevId}` }, `Voir l'import n° ${prevId}`)),
          h('div', { class: 'actions' }, again)));
      } else {
        fill(status, errorBox(e));
      }
    } finally {
      busy = false;
      input.disabled = false;
      input.value = '';
    }
  }
  input.addEventListener('change', () => { if (input.files[0]) send(input.files[0], false); });
  zone.addEventListener('dragover', (ev) => { ev.preventDefault(); zone.classList.add('survol'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('survol'));
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    zone.classList.remove('survol');
    const file = ev.dataTransfer.files[0];
    if (file) send(file, false);
  });
}

/* --- one import: the step its state calls for ----------------------------------------- */

export async function renderImport(ctx, id, sub) {
  const job = await api.get(`/api/imports/${id}`);
  const rv = job.review;
  switch (job.status) {
    case 'uploaded':
      return renderColumns(ctx, job);
    case 'ready':
      return sub === 'options' ? renderOptions(ctx, job) : renderReview(ctx, job);
    case 'queued':
    case 'parsing':
    case 'importing': {
      const importing = job.status === 'importing' || job.phase === 'commit' || !rv || rv.committed;
      return renderRunning(ctx, job, importing);
    }
    default:
      return renderSummary(ctx, job);
  }
}

function cancelButton(job, label) {
  const b = h('button', { type: 'button', class: 'secondaire' }, label || "Annuler l'import");
  b.addEventListener('click', async () => {
    const ok = await confirmAction("Annuler l'import ?",
      `L'import n° ${job.job_id} (« ${job.file} ») sera arrêté. Ce qui est déjà enregistré le reste ; vous pourrez le défaire depuis l'historique.`,
      "Annuler l'import", true);
    if (!ok) return;
    try {
      await api.post(`/api/imports/${job.job_id}/cancel`);
      announce('Import annulé');
      go(`#/imports/${job.job_id}`);
    } catch (e) {
      b.after(errorBox(e));
    }
  });
  return b;
}

/* --- step 2: the columns -------------------------------------------------------------- */

async function renderColumns(ctx, job) {
  let mappings = [];
  try { mappings = (await api.get('/api/mappings')).mappings || []; } catch (_) { mappings = []; }
  const state = { job, sniff: job.sniff, overrides: {}, mappingName: null, sheet: null };
  const sn = state.sniff;
  // the choices in force, as the server says them
  for (const m of sn.mapping) if (m.reason === 'override' && m.field) state.overrides[m.field] = `#${m.column}`;
  // a saved mapping chosen by name ("template") is part of the choice to send again
  if (sn.saved_mapping && sn.saved_mapping.kind === 'template') state.mappingName = sn.saved_mapping.name;
  if (sn.sheets && sn.sheet) state.sheet = sn.sheet;

  const status = h('div', { class: 'zone-etat', 'aria-live': 'polite' });
  const body = h('div');
  const analyse = h('button', { type: 'button', class: 'primaire' }, 'Analyser');

  async function change(extra) {
    const req = { map: state.overrides };
    if (state.mappingName) req.mapping_name = state.mappingName;
    if (state.sheet) req.sheet = state.sheet;
    Object.assign(req, extra || {});
    fill(status, h('p', { class: 'discret' }, 'Mise à jour…'));
    try {
      const res = await api.put(`/api/imports/${job.job_id}/mapping`, req);
      state.sniff = res.sniff;
      fill(status);
      draw();
      announce('Correspondance mise à jour');
    } catch (e) {
      fill(status, errorBox(e));
      draw();
    }
  }

  function draw() {
    const s = state.sniff;
    const parts = [];
    const facts = [['Format', s.format === 'xlsx' ? 'Classeur Excel (.xlsx)' : 'CSV']];
    if (s.encoding) facts.push(['Encodage', s.encoding.toUpperCase()]);
    if (s.delimiter) facts.push(['Séparateur', s.delimiter === '\t' ? 'tabulation' : `« ${s.delimiter} »`]);
    facts.push(['Taille', f.size(s.size)]);
    facts.push(['En-tête', s.has_header ? `ligne ${f.num(s.header_row)}` : 'aucun']);
    facts.push(['Colonnes', f.num(s.columns)]);
    parts.push(h('dl', { class: 'faits' }, facts.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))));

    const choices = h('div', { class: 'choix-ligne' });
    if (s.sheets && s.sheets.length > 1) {
      const sel = h('select', { id: 'feuille' }, s.sheets.map((sh) => h('option', { value: sh.name, selected: sh.name === s.sheet },
        `${sh.name} (${f.num(sh.rows)} lignes${sh.hidden ? ', masquée' : ''})`)));
      sel.addEventListener('change', () => { state.sheet = sel.value; state.overrides = {}; change(); });
      choices.append(field('Feuille', sel));
    }
    const msel = h('select', { id: 'correspondance' },
      h('option', { value: '' }, 'Détection automatique'),
      mappings.map((m) => h('option', { value: m.name, selected: state.mappingName === m.name }, m.name)));
    msel.addEventListener('change', () => { state.mappingName = msel.value || null; state.overrides = {}; change(); });
    choices.append(field('Correspondance enregistrée', msel, mappings.length ? null : 'Aucune correspondance enregistrée pour le moment.'));
    parts.push(choices);
    if (s.saved_mapping) {
      parts.push(h('p', { class: 'discret' }, s.saved_mapping.name
        ? `Correspondance appliquée : « ${s.saved_mapping.name} ».`
        : `Correspondance mémorisée pour ces en-têtes appliquée (enregistrée le ${f.dateTime(s.saved_mapping.saved_at)}).`));
    }
    if (s.warnings && s.warnings.length) parts.push(h('div', { class: 'boite attention' }, h('ul', null, s.warnings.map((w) => h('li', null, w)))));

    // columns: header, samples, detected field, why, the select to change it
    const rows = s.mapping.map((m) => {
      const samples = [];
      for (const p of s.preview) {
        const v = p.fields[m.column - 1];
        if (v && !samples.includes(v)) samples.push(v);
        if (samples.length === 3) break;
      }
      const sel = h('select', { id: `champ-col-${m.column}` },
        !m.field ? h('option', { value: '', selected: true }, 'Champ personnalisé') : h('option', { value: '' }, 'Détection automatique'),
        FIELDS.map(([k, label]) => h('option', { value: k, selected: m.field === k }, label)));
      sel.addEventListener('change', () => {
        for (const [k, v] of Object.entries(state.overrides)) if (v === `#${m.column}`) delete state.overrides[k];
        if (sel.value) state.overrides[sel.value] = `#${m.column}`;
        change();
      });
      const why = [REASONS[m.reason] || m.reason];
      if (m.detail) why.push(` : ${m.detail}`);
      if (m.dates) why.push(` (dates ${m.dates})`);
      return h('tr', null,
        h('th', { scope: 'row' }, h('span', { class: 'entete-col' }, m.header || `Colonne ${m.column}`)),
        h('td', { 'data-label': 'Exemples' }, samples.length ? h('ul', { class: 'exemples' }, samples.map((v) => h('li', null, v))) : h('span', { class: 'discret' }, '(vide)')),
        h('td', { 'data-label': 'Champ détecté' }, m.label || h('span', { class: 'discret' }, 'aucun')),
        h('td', { 'data-label': 'Raison' }, why),
        h('td', { 'data-label': 'Champ' },
          h('label', { for: sel.id, class: 'sr-only' }, `Champ pour la colonne « ${m.header || m.column} »`), sel));
    });
    parts.push(h('div', { class: 'defile' }, h('table', { class: 'tableau colonnes' },
      h('caption', null, 'Colonnes du fichier'),
      h('thead', null, h('tr', null, ['Colonne', 'Exemples', 'Champ détecté', 'Raison', 'Changer le champ'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows))));

    // the 20-row preview
    const heads = s.mapping.map((m) => m.label ? `${m.header} → ${m.label}` : m.header);
    parts.push(h('details', { class: 'apercu', open: true },
      h('summary', null, `Aperçu des ${f.num(s.preview.length)} premières lignes`),
      h('div', { class: 'defile', tabindex: '0', role: 'region', 'aria-label': 'Aperçu du fichier' },
        h('table', { class: 'tableau apercu-table' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Ligne'), heads.map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, s.preview.map((p) => h('tr', { class: p.problem ? 'ligne-probleme' : null },
            h('th', { scope: 'row', class: 'num' }, f.num(p.row)),
            s.mapping.map((m) => h('td', null, p.fields[m.column - 1] ?? '')))))))));
    fill(body, parts);
  }

  analyse.addEventListener('click', async () => {
    analyse.disabled = true;
    try {
      await api.post(`/api/imports/${job.job_id}/analyse`);
      go(`#/imports/${job.job_id}`);
    } catch (e) {
      fill(status, errorBox(e));
      analyse.disabled = false;
    }
  });

  draw();
  fill(ctx.main, header(ctx, job, 1),
    h('section', { class: 'carte' },
      h('h2', null, 'Colonnes'),
      h('p', null, "Vérifiez le champ reconnu pour chaque colonne et changez-le au besoin. Rien n'est importé à cette étape."),
      status, body,
      h('div', { class: 'actions barre-actions' }, cancelButton(job), analyse)));
}

/* --- analysis and import running ----------------------------------------------------- */

function fraction(job, importing) {
  if (importing && job.valid > 0) {
    const done = job.created + job.updated + job.skipped;
    return Math.min(1, done / job.valid);
  }
  if (job.bytes_total > 0) return Math.min(1, job.bytes_done / job.bytes_total);
  return 0;
}

function renderRunning(ctx, job, importing) {
  const title = importing ? 'Import en cours' : 'Analyse en cours';
  const p = progressBar(importing ? "Avancement de l'import" : "Avancement de l'analyse");
  const phase = h('p', { class: 'phase' });
  const speed = h('dd');
  const eta = h('dd');
  const counts = h('dl', { class: 'compteurs' });
  const note = h('div', { class: 'zone-etat' });
  const live = h('p', { class: 'sr-only', role: 'status' });

  function show(j) {
    const fr = fraction(j, importing);
    p.bar.value = Math.round(fr * 100);
    p.bar.setAttribute('aria-valuetext', f.pct(fr, 1));
    /* A queued job still holds the phase it last ran (the analysis's): it is not running it. */
    fill(phase, j.status === 'queued'
      ? `État : ${f.stateLabel(j.status)} — le travail commencera dès qu'un processus de traitement sera libre`
      : `Étape : ${f.phaseLabel(j.phase)} — état : ${f.stateLabel(j.status)} — ${f.pct(fr, 1)}`);
    speed.textContent = j.rows_per_s > 0 ? `${f.num(Math.round(j.rows_per_s))} lignes/s` : '—';
    eta.textContent = j.eta_s === null || j.eta_s === undefined ? '—' : f.duration(j.eta_s);
    const items = importing
      ? [['Leads créés', j.created], ['Mis à jour', j.updated], ['Ignorés', j.skipped], ['Signalés', j.flagged], ['Invalides', j.invalid]]
      : [['Lignes lues', j.rows], ['Valides', j.valid], ['Avertissements', j.warnings], ['Invalides', j.invalid]];
    fill(counts, items.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, f.num(v)))));
    if (j.interrupted) fill(note, h('div', { class: 'boite attention' }, "Le travail a été interrompu ; il reprendra dès qu'un processus de traitement sera disponible."));
  }
  show(job);
  let lastPhase = job.phase;
  let stopPoll = null;
  const stop = api.follow(job.job_id, (j) => {
    show(j);
    if (j.phase !== lastPhase) { lastPhase = j.phase; announce(`Étape : ${f.phaseLabel(j.phase)}`); }
  }, () => {
    announce(importing ? 'Import terminé' : 'Analyse terminée');
    go(`#/imports/${job.job_id}`);
  }, (readyState) => {
    // the stream refused (too many watchers...): read the import every 2 s instead
    if (readyState !== EventSource.CLOSED || stopPoll) return;
    const t = setInterval(async () => {
      try {
        const j = await api.get(`/api/imports/${job.job_id}`);
        show(j);
        if (!['queued', 'parsing', 'importing'].includes(j.status)) { clearInterval(t); go(`#/imports/${job.job_id}`); }
      } catch (_) { /* the next tick tries again */ }
    }, 2000);
    stopPoll = () => clearInterval(t);
  });
  ctx.onLeave(() => { stop(); if (stopPoll) stopPoll(); });

  fill(ctx.main, header(ctx, job, importing ? 4 : 2),
    h('section', { class: 'carte', 'aria-busy': 'true' },
      h('h2', null, title),
      h('p', null, importing
        ? "Vous pouvez fermer cette page : l'import continue, et cette adresse le montre où il en est."
        : "leadimport lit et vérifie chaque ligne, sans rien importer."),
      p.el, phase,
      h('dl', { class: 'faits' },
        h('div', null, h('dt', null, 'Débit'), speed),
        h('div', null, h('dt', null, 'Temps restant'), eta)),
      counts, note, live,
      h('div', { class: 'actions barre-actions' }, cancelButton(job, 'Annuler'))));
}

/* --- step 3: the review --------------------------------------------------------------- */

function ratioBar(valid, warnings, invalid) {
  const clean = Math.max(0, valid - warnings);
  const total = clean + warnings + invalid;
  const seg = (n, cls) => (n > 0 ? h('div', { class: `seg ${cls}`, style: null, dataset: { w: String(n / total) } }) : null);
  const bar = h('div', {
    class: 'barre-ratio', role: 'img',
    'aria-label': `${f.num(clean)} lignes valides, ${f.num(warnings)} avec avertissements, ${f.num(invalid)} invalides`,
  }, seg(clean, 'ok'), seg(warnings, 'avert'), seg(invalid, 'ko'));
  // widths set through the CSSOM: the page's policy allows no inline style attribute
  for (const el of bar.children) el.style.flexGrow = el.dataset.w;
  const legend = h('ul', { class: 'legende' },
    h('li', null, h('span', { class: 'pastille ok', 'aria-hidden': 'true' }), `Valides : ${f.num(clean)} (${f.pct(clean, total)})`),
    h('li', null, h('span', { class: 'pastille avert', 'aria-hidden': 'true' }), `Avec avertissements : ${f.num(warnings)} (${f.pct(warnings, total)})`),
    h('li', null, h('span', { class: 'pastille ko', 'aria-hidden': 'true' }), `Invalides : ${f.num(invalid)} (${f.pct(invalid, total)})`));
  return h('div', { class: 'ratio' }, bar, legend);
}

function predictionsTable(pred, chosen) {
  return h('table', { class: 'tableau previsions' },
    h('caption', null, 'Ce que ferait chaque stratégie de doublons'),
    h('thead', null, h('tr', null, ['Stratégie', 'Créés', 'Mis à jour', 'Ignorés', 'Signalés'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, STRATEGIES.map(([k, label]) => {
      const p = pred[k] || {};
      return h('tr', { class: k === chosen ? 'choisie' : null },
        h('th', { scope: 'row' }, label, k === chosen ? h('span', { class: 'sr-only' }, ' (choisie)') : null),
        h('td', { class: 'num', 'data-label': 'Créés' }, f.num(p.created)),
        h('td', { class: 'num', 'data-label': 'Mis à jour' }, f.num(p.updated)),
        h('td', { class: 'num', 'data-label': 'Ignorés' }, f.num(p.skipped)),
        h('td', { class: 'num', 'data-label': 'Signalés' }, f.num(p.flagged)));
    })));
}

async function reportLink(id, where) {
  try {
    const res = await api.post(`/api/imports/${id}/report-link`);
    const a = h('a', { href: res.url, download: '', class: 'cache' });
    document.body.append(a);
    a.click();
    a.remove();
    announce("Téléchargement du rapport d'erreurs");
  } catch (e) {
    where.append(errorBox(e));
  }
}

function reportButton(job, where) {
  const b = h('button', { type: 'button', class: 'secondaire' }, "Télécharger le rapport d'erreurs");
  b.addEventListener('click', () => reportLink(job.job_id, where));
  return b;
}

async function renderReview(ctx, job) {
  const rv = job.review;
  const msgs = h('div', { class: 'zone-etat' });
  const groups = await api.get(`/api/imports/${job.job_id}/errors`);
  const parts = [
    h('h2', null, 'Vérification'),
    h('p', null, `${f.num(rv.rows)} lignes lues dans « ${job.file} ». Rien n'est encore importé.`),
    ratioBar(rv.valid, rv.warnings, rv.invalid),
  ];
  const seeInvalid = h('button', { type: 'button', class: 'secondaire', disabled: rv.invalid === 0 }, 'Voir les lignes invalides');
  seeInvalid.addEventListener('click', () => openRows(job.job_id, 'invalid'));
  const seeWarn = h('button', { type: 'button', class: 'secondaire', disabled: rv.warnings === 0 }, 'Voir les avertissements');
  seeWarn.addEventListener('click', () => openRows(job.job_id, 'warning'));
  parts.push(h('div', { class: 'actions' }, seeInvalid, seeWarn, reportButton(job, msgs)));

  if (groups.groups.length) {
    const rowsText = (g) => `ligne${g.count > 1 ? 's' : ''} ${g.rows.map(f.num).join(', ')}${g.count > g.rows.length ? '…' : ''}`;
    parts.push(h('h3', null, 'Erreurs les plus fréquentes'),
      h('table', { class: 'tableau frequentes' },
        h('thead', null, h('tr', null, ['Problème', 'Lignes', 'Exemple', 'Que faire ?'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, groups.groups.slice(0, 10).map((g) => h('tr', null,
          h('td', { 'data-label': 'Problème' }, h('span', { class: `gravite gravite-${g.severity}` }, g.severity === 'warning' ? 'Avertissement' : 'Erreur'), ' ', h('code', null, g.code)),
          h('td', { class: 'num', 'data-label': 'Lignes' }, f.num(g.count)),
          h('td', { 'data-label': 'Exemple' }, g.example, h('span', { class: 'discret' }, ` (${rowsText(g)})`)),
          h('td', { 'data-label': 'Que faire ?' }, h('a', { href: `#/aide/erreurs/${g.code}` }, `Explication de ${g.code}`)))))));
  } else if (rv.invalid === 0 && rv.warnings === 0) {
    parts.push(h('p', { class: 'boite succes' }, 'Aucune erreur ni avertissement : toutes les lignes sont valides.'));
  }

  parts.push(h('h3', null, 'Doublons'),
    h('p', null, `${f.num(rv.duplicates)} ligne${rv.duplicates > 1 ? 's' : ''} valide${rv.duplicates > 1 ? 's' : ''} correspond${rv.duplicates > 1 ? 'ent' : ''} à un lead existant ou à une ligne précédente, dont ${f.num(rv.duplicates_in_file)} en double dans le fichier lui-même.`));
  if (rv.duplicates > 0) {
    const seeDup = h('button', { type: 'button', class: 'secondaire' }, 'Voir les doublons');
    seeDup.addEventListener('click', () => openRows(job.job_id, 'duplicate'));
    parts.push(h('div', { class: 'actions' }, seeDup));
  }
  parts.push(h('h3', null, 'Prévisions'), predictionsTable(rv.predictions || {}, null));

  const next = h('a', { href: `#/imports/${job.job_id}/options`, class: 'bouton primaire' }, 'Continuer vers les options');
  fill(ctx.main, header(ctx, job, 2),
    h('section', { class: 'carte' }, parts, msgs,
      h('div', { class: 'actions barre-actions' }, cancelButton(job), next)));
}

/* --- step 4: the options ---------------------------------------------------------------- */

async function renderOptions(ctx, job) {
  const rv = job.review;
  const [usersRes, rowsRes] = await Promise.all([
    api.get('/api/users'),
    api.get(`/api/imports/${job.job_id}/rows?status=all&page=1`).catch(() => ({ rows: [] })),
  ]);
  const users = (usersRes.users || []).filter((u) => u.active);
  const headers = rowsRes.rows && rowsRes.rows.length ? Object.keys(rowsRes.rows[0].values || {}) : [];
  const msgs = h('div', { class: 'zone-etat' });
  const predBox = h('div', { 'aria-live': 'polite' });
  let predictions = rv.predictions || {};

  const radio = (name, value, label, hint, checked) => {
    const id = newId(name);
    const hintId = hint ? `${id}-aide` : null;
    const input = h('input', { type: 'radio', name, id, value, checked, 'aria-describedby': hintId });
    return h('div', { class: 'option' }, input, h('div', null, h('label', { for: id }, label),
      hint ? h('span', { class: 'discret', id: hintId }, ` — ${hint}`) : null));
  };
  const check = (name, value, label, checked) => {
    const id = newId(name);
    return h('div', { class: 'option' }, h('input', { type: 'checkbox', name, id, value, checked }), h('label', { for: id }, label));
  };

  const strategy = h('fieldset', null, h('legend', null, 'Doublons : que faire d\'une ligne qui correspond à un lead existant ?'),
    STRATEGIES.map(([k, label, hint]) => radio('strategie', k, label, hint, k === 'skip')));
  const match = h('fieldset', null, h('legend', null, 'Clés de rapprochement (pour reconnaître un doublon)'),
    MATCH_KEYS.map(([k, label]) => check('cle', k, label, (rv.match || ['email', 'phone']).includes(k))));
  const overwriteId = newId('ecraser');
  const overwriteBox = h('input', { type: 'checkbox', id: overwriteId, checked: !!rv.overwrite });
  const overwrite = h('div', { class: 'option' }, overwriteBox, h('div', null,
    h('label', { for: overwriteId }, 'Remplacer les valeurs déjà remplies'),
    h('span', { class: 'discret' }, ' (seulement quand les doublons sont mis à jour)')));

  const single = h('select', { id: newId('commercial') }, users.map((u) => h('option', { value: u.email }, `${u.name} (${u.email})`)));
  const rr = h('fieldset', { class: 'imbrique' }, h('legend', null, 'Commerciaux du tour de rôle'),
    users.map((u) => check('tour', u.email, `${u.name} (${u.email})`, u.role === 'commercial')));
  const col = h('select', { id: newId('colonne') }, headers.map((c) => h('option', { value: c, selected: /assign|commercial/i.test(c) }, c)));
  const reassignId = newId('reattribuer');
  const reassignBox = h('input', { type: 'checkbox', id: reassignId });
  const reassign = h('div', { class: 'option' }, reassignBox,
    h('label', { for: reassignId }, 'Attribuer aussi les leads existants mis à jour'));
  const sub = {
    none: null,
    single: field('Commercial', single),
    round_robin: rr,
    column: headers.length ? field('Colonne', col) : h('p', { class: 'discret' }, 'Colonnes indisponibles.'),
  };
  const assign = h('fieldset', null, h('legend', null, 'Attribution des leads'),
    radio('attribution', 'none', 'Aucune', 'les leads ne sont attribués à personne', true),
    radio('attribution', 'single', 'Un commercial', 'tous les leads à la même personne', false),
    radio('attribution', 'round_robin', 'Tour de rôle', 'chacun son tour, parmi les commerciaux choisis', false),
    radio('attribution', 'column', 'Selon une colonne', "la colonne du fichier qui nomme le commercial (son e-mail ou son nom)", false),
    h('div', { class: 'sous-choix' }, Object.values(sub).filter(Boolean)),
    reassign);

  const form = h('form', { class: 'options', novalidate: true }, strategy, match, overwrite, assign);
  const mode = () => form.querySelector('input[name=attribution]:checked').value;
  function syncAssign() {
    for (const [k, el] of Object.entries(sub)) if (el) el.hidden = k !== mode();
    reassign.hidden = mode() === 'none';
  }
  function options() {
    const o = {
      on_duplicate: form.querySelector('input[name=strategie]:checked').value,
      match: [...form.querySelectorAll('input[name=cle]:checked')].map((i) => i.value),
      overwrite: overwriteBox.checked,
    };
    const m = mode();
    if (m === 'none') o.assign = { mode: 'none' };
    if (m === 'single') o.assign = { mode: 'single', users: [single.value] };
    if (m === 'round_robin') o.assign = { mode: 'round_robin', users: [...rr.querySelectorAll('input:checked')].map((i) => i.value) };
    if (m === 'column') o.assign = { mode: 'column', column: col.value };
    if (m !== 'none') o.reassign = reassignBox.checked;
    return o;
  }
  function drawPred() {
    fill(predBox, predictionsTable(predictions, options().on_duplicate));
  }
  let timer = null;
  let seq = 0;
  form.addEventListener('change', (ev) => {
    syncAssign();
    fill(msgs);
    drawPred();
    if (ev.target.name === 'strategie') return; // the predictions cover every strategy already
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++seq;
      try {
        const res = await api.post(`/api/imports/${job.job_id}/predict`, options());
        if (mine !== seq) return;
        predictions = res.predictions;
        drawPred();
      } catch (e) {
        if (mine === seq) fill(msgs, errorBox(e));
      }
    }, 300);
  });
  syncAssign();
  drawPred();

  const go_ = h('button', { type: 'button', class: 'primaire' }, 'Importer');
  go_.addEventListener('click', async () => {
    go_.disabled = true;
    fill(msgs);
    try {
      await api.post(`/api/imports/${job.job_id}/commit`, options());
      announce('Import lancé');
      go(`#/imports/${job.job_id}`);
    } catch (e) {
      fill(msgs, errorBox(e));
      go_.disabled = false;
    }
  });
  fill(ctx.main, header(ctx, job, 3),
    h('section', { class: 'carte' },
      h('h2', null, 'Options'),
      form,
      h('h3', null, 'Prévisions'),
      predBox, msgs,
      h('div', { class: 'actions barre-actions' },
        h('a', { href: `#/imports/${job.job_id}`, class: 'bouton secondaire' }, 'Retour à la vérification'),
        go_)));
}

/* --- step 6: the summary -------------------------------------------------------------------- */

const ENDINGS = {
  completed: ['succes', 'Import terminé.'],
  failed: ['erreur', "L'import a échoué."],
  cancelled: ['attention', 'Import annulé.'],
  rejected: ['erreur', 'Import refusé : trop de lignes invalides.'],
  reverted: ['attention', 'Import défait : ses leads créés ont été supprimés et les valeurs modifiées remises.'],
};

async function renderSummary(ctx, job) {
  const [cls, sentence] = ENDINGS[job.status] || ['attention', f.stateLabel(job.status)];
  const msgs = h('div', { class: 'zone-etat' });
  const secs = job.duration_s ?? null; /* the API's one rule (li_job_duration_s) */
  const cards = [
    ['Leads créés', job.created, 'cree'], ['Mis à jour', job.updated], ['Ignorés', job.skipped],
    ['Signalés (doublons possibles)', job.flagged], ['Invalides', job.invalid], ['Attribués', job.assigned],
  ];
  const parts = [
    h('h2', null, 'Résumé'),
    /* A cancelled import's note (the API's) says what it kept; a failure's reason is an error. */
    h('div', { class: `boite ${cls}`, role: 'status' },
      job.status === 'cancelled' && job.error ? job.error.replace(/[^.!?]$/, '$&.') : sentence,
      secs !== null ? ` Durée de l'import : ${f.duration(secs)}.` : null),
    job.error && job.status !== 'cancelled' ? h('p', { class: 'boite erreur' }, job.error) : null,
    h('dl', { class: 'chiffres' }, cards.map(([k, v, c]) => h('div', { class: c || null }, h('dt', null, k), h('dd', null, f.num(v))))),
  ];
  const given = job.assigned > 0 ? await api.get(`/api/imports/${job.job_id}/assignments`) : { users: [] };
  if (given.users.length) {
    parts.push(h('table', { class: 'tableau attribution' },
      h('caption', null, 'Leads attribués par commercial'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Commercial'), h('th', { scope: 'col', class: 'num' }, 'Leads'))),
      h('tbody', null, given.users.map((a) => h('tr', null,
        h('th', { scope: 'row' }, a.name ? `${a.name} (${a.email})` : `Utilisateur n° ${a.user_id}`),
        h('td', { class: 'num' }, f.num(a.leads)))))));
  }
  const actions = [reportButton(job, msgs), h('a', { href: '#/historique', class: 'bouton secondaire' }, "Voir l'historique")];
  if (job.status === 'completed') {
    const revert = h('button', { type: 'button', class: 'danger' }, 'Annuler cet import');
    revert.addEventListener('click', async () => {
      const ok = await confirmAction('Annuler cet import ?',
        `Les leads créés par l'import n° ${job.job_id} seront supprimés et les valeurs qu'il a modifiées remises comme avant. Un lead modifié depuis par quelqu'un d'autre n'est pas touché.`,
        'Défaire l\'import', true);
      if (!ok) return;
      try {
        const res = await api.post(`/api/imports/${job.job_id}/revert`);
        announce(`Import défait : ${res.deleted} leads supprimés`);
        go(`#/imports/${job.job_id}`);
      } catch (e) {
        fill(msgs, errorBox(e));
      }
    });
    actions.push(revert);
  }
  if (job.status === 'failed' || job.status === 'cancelled') {
    const retry = h('button', { type: 'button', class: 'secondaire' }, 'Relancer');
    retry.addEventListener('click', async () => {
      const ok = await confirmAction('Relancer cet import ?',
        `L'import n° ${job.job_id} reprendra où il s'est arrêté ; ce qu'il a déjà enregistré le reste.`, 'Relancer');
      if (!ok) return;
      try {
        await api.post(`/api/imports/${job.job_id}/retry`);
        go(`#/imports/${job.job_id}`);
      } catch (e) {
        fill(msgs, errorBox(e));
      }
    });
    actions.push(retry);
  }
  actions.push(h('a', { href: '#/nouvel-import', class: 'bouton primaire' }, 'Nouvel import'));
  fill(ctx.main, header(ctx, job, 5),
    h('section', { class: 'carte' }, parts, msgs, h('div', { class: 'actions barre-actions' }, actions)));
}
