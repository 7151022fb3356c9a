// keyboard.test.mjs — the whole « Nouvel import » wizard with the keyboard
// alone, at 1280 px (issue 14: « keyboard-usable with visible focus; every
// control labelled »).
//
// Every gesture is a key of page.keyboard (Tab, Shift+Tab, Enter, arrows,
// Escape, typing), except choosing the file: the file chooser is the
// operating system's, so the file is given to the focused « Fichier » input
// with setInputFiles. At each step the focused element (document.activeElement)
// must be the control a person expects, found by its role and accessible
// name as Playwright computes it, and it must show a visible focus
// indicator: an outline (or a box-shadow) in its computed style, on an
// element that is rendered (not transparent, not 1 px wide, in the window).
// Every Tab stop crossed on the way is held to the same rule.
//
//   log in: Tab to « E-mail », type, Tab, type the password, Enter
//   the top navigation: Shift+Tab to « Historique », Enter; Shift+Tab to
//     « Nouvel import », Enter
//   Tab to « Fichier » (the file given to it), then Tab to « Analyser », Enter
//   « Vérification »: Tab to « Voir les lignes invalides », Enter; in the
//     dialog, « Page suivante » with Enter to the last page (the rows checked
//     against the file), Tab and Shift+Tab wrap inside it; Escape closes it
//     and the focus is back on « Voir les lignes invalides »
//   Tab to « Continuer vers les options », Enter; Tab into the duplicate
//     strategies, ArrowDown twice: « Créer quand même »
//   Tab to « Importer », Enter; the summary's « Leads créés » is what
//     tools/gen_sample.py --expect says (and what the database holds)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  Server, Visit, WIDTHS, ADMIN, SOURCE_DIR, missingPrerequisite, openBrowser, figure, sleep,
} from './harness.mjs';

const skip = missingPrerequisite();
const BUREAU = WIDTHS.find((w) => w.width === 1280);
let server;
let browser;
let sample;

// 120 rows: 30 invalid (two pages of the dialog), 11 duplicates (so that
// « Créer quand même » creates more leads than the default « Ignorer »).
function makeSample(dir) {
  const out = path.join(dir, 'salon-clavier.csv');
  const r = spawnSync('python3', [path.join(SOURCE_DIR, 'tools', 'gen_sample.py'), '--rows', '120', '--seed', '13',
    '--invalid-rate', '0.7', '--dup-rate', '0.1', '--out', out, '--expect', out + '.json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gen_sample.py : ${r.stderr}`);
  return { path: out, expect: JSON.parse(fs.readFileSync(out + '.json', 'utf8')) };
}

before(async () => {
  if (skip) return;
  server = await new Server({ workers: 2 }).start();
  sample = makeSample(server.tmp);
  browser = await openBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// --- the focused element, as the page has it ----------------------------------

// In the page: what has the focus, and how it is shown. `ring` is the
// outline (or box-shadow) that draws the focus, null if none; `via` names
// the element that draws it when the focused one is not itself rendered (a
// native file input made transparent behind a button of its own: the focus
// must then be drawn on that button, its next sibling, or on its label).
function focusProbe() {
  const el = document.activeElement;
  const clean = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const describe = (e) => {
    const tag = e.tagName.toLowerCase();
    const type = e.getAttribute('type') ? `[${e.getAttribute('type')}]` : '';
    const byIds = (ids) => ids.split(/\s+/).map((id) => clean(document.getElementById(id)?.textContent)).join(' ');
    const name = e.getAttribute('aria-label')
      || (e.getAttribute('aria-labelledby') && byIds(e.getAttribute('aria-labelledby')))
      || (e.labels && e.labels.length && [...e.labels].map((l) => clean(l.textContent)).join(' '))
      || clean(e.textContent).slice(0, 60);
    return `${tag}${type} « ${name} »`;
  };
  if (!el || el === document.body || el === document.documentElement) return { focused: false, what: 'rien (body)' };
  const shown = (e) => {
    const r = e.getBoundingClientRect();
    if (r.width < 4 || r.height < 4) return false;
    for (let a = e; a; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.display === 'none' || cs.visibility === 'hidden' || parseFloat(cs.opacity) < 0.1) return false;
    }
    return r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  };
  const ring = (e) => {
    const cs = getComputedStyle(e);
    const transparent = (c) => c === 'transparent' || /rgba\([^)]*,\s*0\)$/.test(c);
    if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1 && !transparent(cs.outlineColor)) {
      return `outline ${cs.outlineWidth} ${cs.outlineStyle} ${cs.outlineColor}`;
    }
    if (cs.boxShadow && cs.boxShadow !== 'none') return `box-shadow ${cs.boxShadow}`;
    return null;
  };
  const out = {
    focused: true,
    what: describe(el),
    focusVisible: el.matches(':focus-visible'),
    inDialog: !!el.closest('dialog[open]'),
    shown: shown(el),
    ring: null,
    via: null,
  };
  if (out.shown) {
    out.ring = ring(el);
  } else {
    for (const p of [el.nextElementSibling, ...(el.labels || [])]) {
      if (p && shown(p) && ring(p)) { out.ring = ring(p); out.via = describe(p); break; }
    }
  }
  return out;
}

async function probe(page) {
  return page.evaluate(focusProbe);
}

// Asserts the focused element shows its focus; returns the probe.
async function assertFocusShown(page, what) {
  const p = await probe(page);
  assert.ok(p.focused, `${what} : plus rien n'a le focus (document.activeElement est body)`);
  assert.ok(p.ring, `${what} : ${p.what} a le focus mais aucun indicateur visible `
    + `(outline « none » ou 0, pas de box-shadow${p.shown ? '' : ", élément non rendu et rien de visible autour"})`);
  return p;
}

async function hasFocus(locator) {
  return locator.evaluateAll((els) => els.some((e) => e === document.activeElement)).catch(() => false);
}

// Waits until `locator` has the focus (the page may move it after an answer
// of the server); with ring (the default, for a control) it must show it.
async function expectFocus(page, locator, what, { ring = true, timeout = 10000 } = {}) {
  const deadline = Date.now() + timeout;
  while (!(await hasFocus(locator))) {
    if (Date.now() > deadline) {
      const p = await probe(page);
      assert.fail(`le focus devait être sur ${what} ; il est sur ${p.what}`);
    }
    await sleep(50);
  }
  return ring ? assertFocusShown(page, what) : probe(page);
}

// Tab (or Shift+Tab) until `target` has the focus, each stop on the way
// holding the focus visibly; returns the stops. Fails if the focus is lost
// (back to body) or the target is never reached in `max` presses.
async function tabTo(page, target, what, { back = false, max = 40 } = {}) {
  const key = back ? 'Shift+Tab' : 'Tab';
  const stops = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const p = await probe(page);
    stops.push(p.what);
    assert.ok(p.focused, `${key} vers ${what} : le focus est perdu après ${stops.join(' → ')}`);
    assert.ok(p.ring, `${key} vers ${what} : pas d'indicateur de focus visible sur ${p.what} (après ${stops.join(' → ')})`);
    if (await hasFocus(target)) return stops;
  }
  assert.fail(`${what} jamais atteint en ${max} ${key} : ${stops.join(' → ')}`);
}

function heading(page, name, level) {
  return page.getByRole('heading', { name, exact: true, ...(level ? { level } : {}) });
}

// --- the test ----------------------------------------------------------------

test('bureau : tout le parcours au clavier, focus visible à chaque étape', { skip: skip || false }, async () => {
  const { expect } = sample;
  assert.ok(expect.invalid > 20, `le fichier doit avoir plus de 20 lignes invalides (${expect.invalid})`);
  assert.ok(expect.leads_created_with_create > expect.leads_created_with_skip, 'le fichier doit avoir des doublons');
  const v = new Visit(browser, server, BUREAU, 'clavier');
  await v.run(async () => {
    const page = await v.open();
    const kb = page.keyboard;

    // --- Connexion: the page puts the focus on its title, then Tab.
    await expectFocus(page, heading(page, 'Connexion', 1), 'le titre « Connexion »', { ring: false });
    await tabTo(page, page.getByLabel('E-mail', { exact: true }), '« E-mail »', { max: 1 });
    await kb.type(ADMIN);
    await kb.press('Tab');
    await expectFocus(page, page.getByLabel('Mot de passe', { exact: true }), '« Mot de passe »');
    await kb.type(server.adminPassword);
    await v.checkpoint('connexion');
    await kb.press('Enter');
    await expectFocus(page, heading(page, 'Nouvel import', 1), 'le titre « Nouvel import » après la connexion', { ring: false });

    // --- the top navigation: to « Historique » and back to « Nouvel import ».
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    await tabTo(page, nav.getByRole('link', { name: 'Historique', exact: true }), '« Historique » (navigation)', { back: true, max: 6 });
    await kb.press('Enter');
    await expectFocus(page, heading(page, 'Historique', 1), 'le titre « Historique »', { ring: false });
    const navNew = nav.getByRole('link', { name: 'Nouvel import', exact: true });
    await tabTo(page, navNew, '« Nouvel import » (navigation)', { back: true, max: 6 });
    await kb.press('Enter');
    await expectFocus(page, heading(page, 'Nouvel import', 1), 'le titre « Nouvel import »', { ring: false });
    assert.equal(await navNew.getAttribute('aria-current'), 'page', '« Nouvel import » non marqué comme la page courante');

    // --- the file: Tab to « Fichier »; the file chooser is the system's.
    const fileInput = page.getByLabel('Fichier', { exact: true });
    const fileStops = await tabTo(page, fileInput, '« Fichier »', { max: 10 });
    const fileFocus = await assertFocusShown(page, '« Fichier »');
    await v.checkpoint('fichier');
    await fileInput.setInputFiles(sample.path);

    // --- Colonnes: Tab to « Analyser », Enter.
    await heading(page, 'Colonnes').waitFor();
    await page.getByRole('table', { name: 'Colonnes du fichier' }).waitFor();
    await expectFocus(page, page.getByRole('heading', { level: 1, name: /^Import n° \d+/ }), "le titre de l'import (Colonnes)", { ring: false });
    await v.checkpoint('colonnes');
    const toAnalyse = await tabTo(page, page.getByRole('button', { name: 'Analyser', exact: true }), '« Analyser »', { max: 40 });
    await kb.press('Enter');

    // --- Vérification: « Voir les lignes invalides », the dialog.
    await heading(page, 'Vérification').waitFor({ timeout: 30000 });
    await expectFocus(page, page.getByRole('heading', { level: 1, name: /^Import n° \d+/ }), "le titre de l'import (Vérification)", { ring: false });
    const ratio = await page.getByRole('img', { name: /lignes valides/ }).getAttribute('aria-label');
    assert.match(ratio, new RegExp(`\\b${expect.invalid} invalides`), ratio);
    await v.checkpoint('verification');
    const seeInvalid = page.getByRole('button', { name: 'Voir les lignes invalides', exact: true });
    await tabTo(page, seeInvalid, '« Voir les lignes invalides »', { max: 5 });
    await kb.press('Enter');
    const dialog = page.getByRole('dialog', { name: /^Lignes invalides/ });
    await dialog.waitFor();
    const close = dialog.getByRole('button', { name: 'Fermer', exact: true });
    const prev = dialog.getByRole('button', { name: 'Page précédente', exact: true });
    const next = dialog.getByRole('button', { name: 'Page suivante', exact: true });
    const body = dialog.getByRole('region', { name: 'Lignes de la page' });
    assert.ok((await expectFocus(page, close, '« Fermer » à l\'ouverture du dialogue')).inDialog);
    const pages = Math.ceil(expect.invalid / 20);
    const seen = [];
    for (let n = 1; n <= pages; n++) {
      await dialog.getByText(new RegExp(`Page ${n} sur ${pages}`)).waitFor();
      const numbers = await dialog.getByRole('rowheader').allTextContents();
      assert.equal(numbers.length, n < pages ? 20 : expect.invalid - 20 * (pages - 1), `page ${n} du dialogue`);
      seen.push(...numbers.map((t) => Number(t.replace(/\s/g, ''))));
      if (n === 1) {
        // Fermer → the rows (a scrollable region) → « Page suivante »
        // (« Page précédente » is disabled on page 1).
        const stops = await tabTo(page, next, '« Page suivante »', { max: 3 });
        assert.equal(stops.length, 2, `Tab dans le dialogue : ${stops.join(' → ')}`);
        await v.checkpoint('lignes-invalides');
      }
      if (n < pages) {
        assert.ok(await hasFocus(next));
        await kb.press('Enter');
        // On the last page « Page suivante » is disabled: the focus moves to
        // « Page précédente », still inside the dialog.
        const p = await expectFocus(page, n + 1 < pages ? next : prev,
          n + 1 < pages ? '« Page suivante »' : '« Page précédente » (dernière page)');
        assert.ok(p.inDialog, `après « Page suivante » le focus est sorti du dialogue : ${p.what}`);
      }
    }
    assert.deepEqual(seen, expect.invalid_rows, 'les lignes invalides vues au clavier');
    assert.ok(await next.isDisabled(), '« Page suivante » active sur la dernière page');
    // Tab wraps inside the dialog: from its last control to its first, and back.
    await kb.press('Tab');
    assert.ok((await expectFocus(page, close, '« Fermer » (Tab depuis le dernier contrôle)', { timeout: 2000 })).inDialog);
    await kb.press('Shift+Tab');
    await expectFocus(page, prev, '« Page précédente » (Maj+Tab depuis « Fermer »)', { timeout: 2000 });
    for (const [loc, name] of [[close, '« Fermer »'], [body, '« Lignes de la page »'], [prev, '« Page précédente »']]) {
      await kb.press('Tab');
      assert.ok((await expectFocus(page, loc, `${name} (tour du dialogue)`, { timeout: 2000 })).inDialog);
    }
    await kb.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expectFocus(page, seeInvalid, '« Voir les lignes invalides » après Échap', { timeout: 3000 });

    // --- Options: « Continuer vers les options », the strategy with arrows.
    await tabTo(page, page.getByRole('link', { name: 'Continuer vers les options', exact: true }), '« Continuer vers les options »', { max: 30 });
    await kb.press('Enter');
    await heading(page, 'Options').waitFor();
    await expectFocus(page, page.getByRole('heading', { level: 1, name: /^Import n° \d+/ }), "le titre de l'import (Options)", { ring: false });
    const radio = (name) => page.getByRole('radio', { name, exact: true });
    await tabTo(page, radio('Ignorer'), '« Ignorer » (stratégie cochée)', { max: 3 });
    assert.ok(await radio('Ignorer').isChecked());
    await kb.press('ArrowDown');
    await expectFocus(page, radio('Mettre à jour'), '« Mettre à jour » (flèche bas)', { timeout: 2000 });
    assert.ok(await radio('Mettre à jour').isChecked(), 'la flèche bas n\'a pas coché « Mettre à jour »');
    await kb.press('ArrowDown');
    await expectFocus(page, radio('Créer quand même'), '« Créer quand même » (flèche bas)', { timeout: 2000 });
    assert.ok(await radio('Créer quand même').isChecked(), 'la flèche bas n\'a pas coché « Créer quand même »');
    assert.equal(await radio('Ignorer').isChecked(), false);
    const table = page.getByRole('table', { name: 'Ce que ferait chaque stratégie de doublons' });
    const chosen = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Créer quand même (choisie)', exact: true }) });
    await chosen.waitFor();
    const predicted = Number((await chosen.getByRole('cell').first().textContent()).replace(/\s/g, ''));
    assert.equal(predicted, expect.leads_created_with_create, 'prévision « Créés » de « Créer quand même »');
    await v.checkpoint('options');

    // --- « Importer » with Enter, the summary.
    const toImport = await tabTo(page, page.getByRole('button', { name: 'Importer', exact: true }), '« Importer »', { max: 20 });
    assert.ok(await radio('Créer quand même').isChecked(), 'Tab a changé la stratégie choisie');
    await kb.press('Enter');
    await heading(page, 'Résumé').waitFor({ timeout: 30000 });
    await page.getByRole('status').filter({ hasText: 'Import terminé.' }).first().waitFor();
    await expectFocus(page, page.getByRole('heading', { level: 1, name: /^Import n° \d+/ }), "le titre de l'import (Résumé)", { ring: false });
    const created = await figure(page, 'Leads créés');
    assert.equal(created, expect.leads_created_with_create, '« Leads créés » du résumé');
    assert.equal(server.exportedLeads().length, expect.leads_created_with_create, 'leads dans la base');
    // From the summary's title, the next Tab reaches its first action.
    await tabTo(page, page.getByRole('button', { name: "Télécharger le rapport d'erreurs", exact: true }), "« Télécharger le rapport d'erreurs » (résumé)", { max: 1 });
    await v.checkpoint('resume');

    v.assertNoPageErrors();
    console.log(`# Tab vers « Fichier » : ${fileStops.join(' → ')} (focus dessiné par ${fileFocus.via || 'lui-même'} : ${fileFocus.ring})`);
    console.log(`# Tab vers « Analyser » : ${toAnalyse.length} arrêts ; vers « Importer » : ${toImport.join(' → ')}`);
  });
});
