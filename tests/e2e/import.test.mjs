// import.test.mjs — the « Nouvel import » wizard, from the file to the
// summary, as an admin goes through it, at 1280 px and at 390 px.
//
// Four imports on small generated files cover every duplicate strategy and
// every assignment mode without twelve full runs; each goes through every
// step (file, Colonnes, Vérification with the error modal and the report,
// Options, the import, Résumé), is screenshotted and checked by axe-core:
//
//   width    file   strategy          assignment          and
//   bureau   CSV    Ignorer           Aucune              a column remapped (Ville ignored)
//   bureau   XLSX   Mettre à jour     Un commercial       the sheet chosen, leads of the CSV completed
//   mobile   CSV    Créer quand même  Tour de rôle        the first CSV again: refused, then « Importer quand même »
//   mobile   XLSX   Ignorer           Selon une colonne   then undone from its summary
//
// What a person relies on is checked against what the file holds
// (tools/gen_sample.py --expect) and against the database (`leadimport
// export`): the invalid rows listed by the modal and the report, the
// predictions equal to the result, the leads created, updated, assigned.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  Server, Visit, WIDTHS, ADMIN, missingPrerequisite, openBrowser, login, sampleCsv, csvToXlsx, parseCsv, SOURCE_DIR,
  adminVisit,
} from './harness.mjs';
import { spawnSync } from 'node:child_process';
import { sleep } from './harness.mjs';

const skip = missingPrerequisite();
const [BUREAU, MOBILE] = WIDTHS;
const COMMERCIALS = [
  ['claire.dubreuil@exemple.fr', 'Claire Dubreuil'],
  ['mathieu.lenoir@exemple.fr', 'Mathieu Lenoir'],
  ['nadia.benali@exemple.fr', 'Nadia Benali'],
];
let server;
let browser;
let files;

// The files, and what an import of each into an empty base gives.
function makeFiles(dir) {
  const expect = (name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  const gen = (name, rows, seed, invalidRate) => {
    const out = path.join(dir, name);
    const r = spawnSync('python3', [path.join(SOURCE_DIR, 'tools', 'gen_sample.py'), '--rows', String(rows),
      '--seed', String(seed), '--invalid-rate', String(invalidRate), '--dup-rate', '0.08',
      '--out', out, '--expect', out + '.json'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return { path: out, expect: expect(name + '.json') };
  };
  // More than 20 invalid rows: the modal has two pages.
  const salon = gen('salon-lyon.csv', 100, 13, 0.6);
  // The first 40 rows of the salon, as a workbook: the same people, so that
  // « Mettre à jour » completes the leads the CSV created without a city.
  const first40 = gen('salon-lyon-40.csv', 40, 13, 0.6);
  const classeur = { path: csvToXlsx(first40.path, path.join(dir, 'salon-lyon.xlsx')), expect: first40.expect };
  const partenaires40 = gen('partenaires.csv', 40, 21, 0.1);
  const partenaires = { path: csvToXlsx(partenaires40.path, path.join(dir, 'partenaires.xlsx')), expect: partenaires40.expect };
  return { salon, classeur, partenaires };
}

before(async () => {
  if (skip) return;
  server = await new Server({ workers: 2 }).start();
  for (const [email, name] of COMMERCIALS) server.addUser(email, name, 'commercial');
  files = makeFiles(server.tmp);
  browser = await openBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// --- the steps, as a person goes through them --------------------------------

// A test as the admin at one width (harness.mjs, adminVisit).
const asAdmin = (width, label, fn) => adminVisit(browser, server, width, label, fn);

function heading(page, name) {
  return page.getByRole('heading', { name, exact: true });
}

async function chooseFile(v, file) {
  const page = v.page;
  await page.goto(server.url + '/#/nouvel-import');
  await page.getByRole('heading', { name: 'Nouvel import', level: 1 }).waitFor();
  await v.checkpoint('fichier');
  await page.getByLabel('Fichier', { exact: true }).setInputFiles(file);
}

// Step 2: the columns; returns once the column table shows the file.
async function columns(v, { sheet, ignore } = {}) {
  const page = v.page;
  await heading(page, 'Colonnes').waitFor();
  await page.getByRole('table', { name: 'Colonnes du fichier' }).waitFor();
  await v.checkpoint('colonnes');
  if (sheet) {
    await page.getByLabel('Feuille', { exact: true }).selectOption(sheet);
    await page.getByLabel('Champ pour la colonne « Email »').waitFor();
    assert.match(await page.getByLabel('Feuille', { exact: true }).inputValue(), new RegExp(sheet));
    await v.checkpoint('colonnes-feuille');
  }
  if (ignore) {
    const select = page.getByLabel(`Champ pour la colonne « ${ignore} »`);
    await select.selectOption({ label: 'Ignorer la colonne' });
    // The server's answer says the choice is now a manual one.
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: ignore, exact: true }) });
    await row.getByText('choisi à la main').waitFor();
    assert.equal(await page.getByLabel(`Champ pour la colonne « ${ignore} »`).inputValue(), 'ignore');
    await v.checkpoint('colonnes-modifiees');
  }
}

// Step 3: « Analyser », then the review; checks the counts it shows.
async function analyse(v, expect) {
  const page = v.page;
  await page.getByRole('button', { name: 'Analyser' }).click();
  await heading(page, 'Vérification').waitFor({ timeout: 30000 });
  const ratio = page.getByRole('img', { name: /lignes valides/ });
  const label = await ratio.getAttribute('aria-label');
  assert.match(label, new RegExp(`\\b${expect.invalid} invalides`), label);
  await v.checkpoint('verification');
}

// The error modal: every invalid row, 20 per page, closed with Escape.
async function errorModal(v, expect) {
  const page = v.page;
  await page.getByRole('button', { name: 'Voir les lignes invalides' }).click();
  const dialog = page.getByRole('dialog', { name: /Lignes invalides/i });
  await dialog.waitFor();
  const seen = [];
  const pages = Math.ceil(expect.invalid / 20);
  for (let n = 1; n <= pages; n++) {
    await dialog.getByText(new RegExp(`Page ${n} sur ${pages}`)).waitFor();
    const numbers = await dialog.getByRole('rowheader').allTextContents();
    assert.equal(numbers.length, n < pages ? 20 : expect.invalid - 20 * (pages - 1), `page ${n}`);
    seen.push(...numbers.map((t) => Number(t.replace(/\s/g, ''))));
    // Errors in French beside each row.
    assert.ok(await dialog.getByText(/Ni e-mail ni téléphone|Ni nom ni société|adresse e-mail|numéro/).count() > 0);
    if (n === 1) await v.checkpoint('lignes-invalides');
    if (n < pages) await dialog.getByRole('button', { name: 'Page suivante' }).click();
  }
  assert.deepEqual(seen, expect.invalid_rows, 'les lignes invalides du modal');
  assert.ok(await dialog.getByRole('button', { name: 'Page suivante' }).isDisabled());
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  // Focus comes back to the button that opened it.
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.textContent), 'Voir les lignes invalides');
}

// The error report, downloaded through its signed link: one « refusée » row
// per invalid row of the file, with the spreadsheet row number.
async function report(v, expect) {
  const page = v.page;
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: "Télécharger le rapport d'erreurs" }).first().click(),
  ]);
  assert.match(download.url(), /\/files\/imports\/\d+\/erreurs\.csv\?exp=\d+&sig=[0-9a-f]{64}$/);
  assert.match(download.suggestedFilename(), /\.erreurs\.csv$/);
  const file = await download.path();
  const rows = parseCsv(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(rows[0].slice(0, 3), ['Ligne', 'Statut', 'Erreurs']);
  const refused = rows.slice(1).filter((r) => r[1] === 'refusée');
  assert.deepEqual(refused.map((r) => Number(r[0])), expect.invalid_rows);
  assert.ok(refused.every((r) => r[2].length > 0), 'une ligne refusée sans son erreur');
  return rows;
}

// Step 4: the options; returns the predictions shown for the chosen strategy.
async function options(v, { strategy, assign, user, reassign }) {
  const page = v.page;
  await page.getByRole('link', { name: 'Continuer vers les options' }).click();
  await heading(page, 'Options').waitFor();
  // Each change of the options asks the server for new predictions
  // (POST …/predict, after a short pause): wait until none is pending.
  let asked = 0;
  let answered = 0;
  const onRequest = (r) => { if (/\/predict$/.test(r.url())) asked += 1; };
  const onDone = (r) => { if (/\/predict$/.test(r.url())) answered += 1; };
  page.on('request', onRequest);
  page.on('requestfinished', onDone);
  page.on('requestfailed', onDone);
  try {
    await page.getByRole('radio', { name: new RegExp(`^${strategy}`) }).check();
    await page.getByRole('radio', { name: new RegExp(`^${assign}`) }).check();
    if (assign === 'Un commercial') await page.getByLabel('Commercial', { exact: true }).selectOption({ label: user });
    if (assign === 'Selon une colonne') {
      assert.equal(await page.getByLabel('Colonne', { exact: true }).inputValue(), 'Commercial');
    }
    if (assign === 'Tour de rôle') {
      const group = page.getByRole('group', { name: 'Commerciaux du tour de rôle' });
      for (const [, name] of COMMERCIALS) assert.ok(await group.getByRole('checkbox', { name: new RegExp(name) }).isChecked());
      assert.equal(await group.getByRole('checkbox', { name: /admin@exemple\.fr/ }).isChecked(), false);
    }
    if (reassign) await page.getByRole('checkbox', { name: 'Attribuer aussi les leads existants mis à jour' }).check();
    const deadline = Date.now() + 10000;
    do await sleep(400); while ((asked === 0 && assign !== 'Aucune' && Date.now() < deadline) || (answered < asked && Date.now() < deadline));
    assert.equal(answered, asked, 'une prévision est restée sans réponse');
  } finally {
    page.off('request', onRequest);
    page.off('requestfinished', onDone);
    page.off('requestfailed', onDone);
  }
  const table = page.getByRole('table', { name: 'Ce que ferait chaque stratégie de doublons' });
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${strategy}`) }) });
  const cells = (await row.getByRole('cell').allTextContents()).map((t) => Number(t.replace(/\s/g, '')));
  await v.checkpoint('options');
  return { created: cells[0], updated: cells[1], skipped: cells[2], flagged: cells[3] };
}

// Step 5 and 6: « Importer », followed live, then the summary's numbers.
async function importAndSummary(v) {
  const page = v.page;
  await page.getByRole('button', { name: 'Importer', exact: true }).click();
  await heading(page, 'Résumé').waitFor({ timeout: 30000 });
  await page.getByRole('status').filter({ hasText: 'Import terminé.' }).first().waitFor();
  await v.checkpoint('resume');
  // Each figure of the summary: a term and its number.
  const figure = async (name) => Number((await page.locator('dl div').filter({ has: page.locator('dt', { hasText: name }) })
    .locator('dd').first().textContent()).replace(/\s/g, ''));
  return {
    created: await figure('Leads créés'), updated: await figure('Mis à jour'), skipped: await figure('Ignorés'),
    flagged: await figure('Signalés'), invalid: await figure('Invalides'), assigned: await figure('Attribués'),
  };
}

// The summary's « Leads attribués par commercial »: name → number of leads.
async function givenPerUser(page) {
  const table = page.getByRole('table', { name: 'Leads attribués par commercial' });
  await table.waitFor();
  const out = {};
  for (const row of await table.getByRole('row').all()) {
    const who = await row.getByRole('rowheader').allTextContents();
    if (who.length) out[who[0]] = Number((await row.getByRole('cell').first().textContent()).replace(/\s/g, ''));
  }
  return out;
}

// --- the four imports --------------------------------------------------------

test('bureau : CSV, une colonne ignorée, « Ignorer », sans attribution', { skip: skip || false }, async () => {
  await asAdmin(BUREAU, 'import-csv', async (v) => {
    const { expect } = files.salon;
    await chooseFile(v, files.salon.path);
    await columns(v, { ignore: 'Ville' });
    await analyse(v, expect);
    await errorModal(v, expect);
    await report(v, expect);
    const predicted = await options(v, { strategy: 'Ignorer', assign: 'Aucune' });
    const done = await importAndSummary(v);
    assert.equal(done.created, expect.leads_created_with_skip);
    assert.equal(done.invalid, expect.invalid);
    assert.equal(done.assigned, 0);
    assert.deepEqual({ created: done.created, updated: done.updated, skipped: done.skipped, flagged: done.flagged }, predicted);
    const leads = server.exportedLeads();
    assert.equal(leads.length, expect.leads_created_with_skip);
    assert.ok(leads.every((l) => l.Ville === ''), 'la colonne Ville ignorée a quand même été importée');
    assert.ok(leads.every((l) => l['Assigné à'] === ''));
    v.assertNoPageErrors();
  });
});

test('bureau : classeur Excel, feuille choisie, « Mettre à jour », un commercial', { skip: skip || false }, async () => {
  await asAdmin(BUREAU, 'import-xlsx', async (v) => {
    const { expect } = files.classeur;
    const before = server.exportedLeads().length;
    await chooseFile(v, files.classeur.path);
    await columns(v, { sheet: 'Prospects' });
    await analyse(v, expect);
    const predicted = await options(v, {
      strategy: 'Mettre à jour', assign: 'Un commercial', user: 'Claire Dubreuil (claire.dubreuil@exemple.fr)', reassign: true,
    });
    const done = await importAndSummary(v);
    // The same people as the CSV: every valid row finds its lead and gives
    // it the city the CSV left out; nothing new is created. The updated
    // leads are given to Claire (« Attribuer aussi les leads existants »;
    // a lead two rows of the file update is given once).
    assert.ok(done.updated > 0, JSON.stringify(done));
    assert.equal(done.created, 0, JSON.stringify(done));
    assert.ok(done.assigned > 0 && done.assigned <= done.updated, JSON.stringify(done));
    assert.deepEqual({ created: done.created, updated: done.updated, skipped: done.skipped, flagged: done.flagged }, predicted);
    assert.deepEqual(await givenPerUser(v.page), { 'Claire Dubreuil (claire.dubreuil@exemple.fr)': done.assigned });
    const leads = server.exportedLeads();
    assert.equal(leads.length, before);
    // The CSV left every city empty; the workbook's update filled some.
    const withCity = leads.filter((l) => l.Ville !== '').length;
    assert.ok(withCity > 0 && withCity <= done.updated, `${withCity} villes, ${JSON.stringify(done)}`);
    assert.equal(leads.filter((l) => l['Assigné à'] === 'claire.dubreuil@exemple.fr').length, done.assigned);
    v.assertNoPageErrors();
  });
});

test('mobile : CSV déjà importé, « Importer quand même », « Créer quand même », tour de rôle', { skip: skip || false }, async () => {
  await asAdmin(MOBILE, 'import-csv', async (v) => {
    const page = v.page;
    // The salon's CSV again: refused, with the earlier import and a way on.
    await chooseFile(v, files.salon.path);
    const alert = page.getByRole('alert').filter({ hasText: /déjà/ });
    await alert.waitFor();
    await alert.getByRole('link', { name: /Voir l'import n° 1/ }).waitFor();
    await alert.getByRole('button', { name: 'Importer quand même' }).waitFor();
    await v.checkpoint('deja-importe');

    // « Importer quand même »: the same file, a new import of it.
    const { expect } = files.salon;
    await alert.getByRole('button', { name: 'Importer quand même' }).click();
    await columns(v);
    await analyse(v, expect);
    await errorModal(v, expect);
    await report(v, expect);
    const predicted = await options(v, { strategy: 'Créer quand même', assign: 'Tour de rôle' });
    const done = await importAndSummary(v);
    // Every valid row is a lead already (the CSV's first import): each is
    // created again and flagged as a possible duplicate.
    assert.equal(done.created, expect.leads_created_with_create);
    assert.equal(done.flagged, done.created, JSON.stringify(done));
    assert.deepEqual({ created: done.created, updated: done.updated, skipped: done.skipped, flagged: done.flagged }, predicted);
    // Round robin over the three commercials: each gets a third.
    assert.equal(done.assigned, done.created);
    const given = await givenPerUser(page);
    const counts = COMMERCIALS.map(([email, name]) => given[`${name} (${email})`]);
    assert.equal(counts.reduce((a, b) => a + b, 0), done.assigned, JSON.stringify(given));
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `tour de rôle inégal : ${JSON.stringify(given)}`);
    v.assertNoPageErrors();
  });
});

test('mobile : classeur Excel, « Ignorer », selon une colonne, puis défait', { skip: skip || false }, async () => {
  await asAdmin(MOBILE, 'import-xlsx', async (v) => {
    const page = v.page;
    const { expect } = files.partenaires;
    const before = server.exportedLeads().length;
    await chooseFile(v, files.partenaires.path);
    await columns(v, { sheet: 'Prospects' });
    await analyse(v, expect);
    const predicted = await options(v, { strategy: 'Ignorer', assign: 'Selon une colonne' });
    const done = await importAndSummary(v);
    // The other files' people may share an e-mail with these: at most the
    // rows of an empty base are created, and exactly what was predicted.
    assert.ok(done.created > 0 && done.created <= expect.leads_created_with_skip, JSON.stringify(done));
    assert.deepEqual({ created: done.created, updated: done.updated, skipped: done.skipped, flagged: done.flagged }, predicted);
    // The leads of this workbook whose « Commercial » cell names a user are
    // that user's; the others (unknown names) belong to no one.
    const emails = new Set(expect.emails_created.filter((e) => e));
    const leads = server.exportedLeads().filter((l) => emails.has(l['E-mail'].toLowerCase()));
    const named = leads.filter((l) => COMMERCIALS.some(([, n]) => n === l.Commercial));
    assert.ok(done.assigned > 0 && named.length > 0, JSON.stringify(done));
    for (const l of named) assert.equal(l['Assigné à'], COMMERCIALS.find(([, n]) => n === l.Commercial)[0], JSON.stringify(l));
    for (const l of leads.filter((x) => !named.includes(x))) assert.equal(l['Assigné à'], '', JSON.stringify(l));
    const given = await givenPerUser(page);
    assert.equal(Object.values(given).reduce((a, b) => a + b, 0), done.assigned, JSON.stringify(given));
    for (const [email, name] of COMMERCIALS) {
      const n = named.filter((l) => l.Commercial === name).length;
      if (n) assert.equal(given[`${name} (${email})`], n, JSON.stringify(given));
    }

    // Undone from the summary, after a confirmation.
    await page.getByRole('button', { name: 'Annuler cet import' }).click();
    const confirm = page.getByRole('dialog', { name: 'Annuler cet import ?' });
    await confirm.waitFor();
    await v.checkpoint('defaire-confirmation');
    await confirm.getByRole('button', { name: "Défaire l'import" }).click();
    await page.getByRole('status').filter({ hasText: 'Import défait' }).first().waitFor();
    await v.checkpoint('defait');
    assert.equal(server.exportedLeads().length, before, 'les leads du classeur sont restés après « défaire »');
    v.assertNoPageErrors();
  });
});
