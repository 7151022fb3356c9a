// history.test.mjs — « Historique » with more imports than one page holds
// (20 a page), at 1280 px and at 390 px: the pages, newest first; the dates
// (JJ/MM/AAAA HH:MM, Paris time) and the numbers (a narrow no-break space,
// U+202F, between thousands) written the French way; and, at 1280 px, the
// actions of a row with their confirmation: « Supprimer » (the import goes,
// its leads stay), « Relancer » a cancelled import (it runs again),
// « Détails » (its summary), « Rapport » (its error report downloaded).
//
// The 23 imports are made quickly by the command line on the server's base
// (`leadimport import --as`), not through the page: what the page does with
// a file is import.test.mjs's. The server runs no import itself
// (--workers 0): the relaunched import waits for the worker the test starts,
// so the page can be seen showing it « en attente » first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  Server, WIDTHS, ADMIN, missingPrerequisite, openBrowser, apiSessionOf, parseCsv, adminVisit, bigCsv,
  frNum, frDateTime, figureText, download,
} from './harness.mjs';

const skip = missingPrerequisite();
const [BUREAU, MOBILE] = WIDTHS;
const PER_PAGE = 20;
let server;
let browser;
// The imports the history should list, oldest first: { id, file, rows, created, invalid, created_at }.
let imports = [];
let ids = {};

// One import by the command line, as the admin; returns its record.
function cliImport(file, extra = []) {
  const out = JSON.parse(server.cli(['import', file, '--as', ADMIN, '--json', '--quiet', ...extra]));
  const j = server.job(out.job_id);
  return { id: j.job_id, file: path.basename(file), rows: j.rows, created: j.created, invalid: j.invalid, created_at: j.created_at };
}

before(async () => {
  if (skip) return;
  server = await new Server({ workers: 0 }).start();
  const dir = server.tmp;
  // n° 1: more than a thousand rows, for the French numbers.
  imports.push(cliImport(bigCsv(dir, 'grand-salon.csv', 1200, 'grand')));
  // n° 2: two invalid rows (spreadsheet rows 3 and 5), for the report.
  const rdv = path.join(dir, 'rendez-vous.csv');
  fs.writeFileSync(rdv, 'Prénom;Nom;E-mail;Téléphone;Société\n'
    + 'Lucie;Bernard;lucie.bernard@exemple.fr;;Atelier Bernard\n'
    + 'Paul;;;;\n'
    + 'Inès;Roche;ines.roche@exemple.fr;;Roche Conseil\n'
    + 'Hugo;Petit;;;Petit Frères\n');
  imports.push(cliImport(rdv));
  // n° 3 to 22: small ones.
  for (let n = 3; n <= 22; n++) imports.push(cliImport(bigCsv(dir, `salon-${String(n).padStart(2, '0')}.csv`, 3, `s${n}`)));
  // n° 23: queued, then cancelled before any worker took it.
  const last = cliImport(bigCsv(dir, 'a-relancer.csv', 3, 'relance'), ['--queue']);
  server.cli(['jobs', 'cancel', String(last.id)]);
  imports.push(last);
  ids = Object.fromEntries(imports.map((i) => [i.file, i.id]));
  assert.deepEqual(imports.map((i) => i.id), Array.from({ length: 23 }, (_, k) => k + 1));
  assert.equal(server.job(ids['grand-salon.csv']).created, 1200);
  assert.equal(server.job(ids['rendez-vous.csv']).invalid, 2);
  assert.equal(server.job(ids['a-relancer.csv']).status, 'cancelled');
  browser = await openBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

function historyTable(page) {
  return page.getByRole('table', { name: 'Imports, du plus récent au plus ancien' });
}

function rowOf(page, file) {
  return historyTable(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name: file, exact: true }) });
}

// A row's cells by the header of their column, as a person reads them
// (and as the 390 px layout labels them): { 'N°': '1', Fichier: …, Date: … }.
async function rowCells(page, file) {
  const heads = (await historyTable(page).getByRole('columnheader').allTextContents()).map((t) => t.trim());
  const cells = (await rowOf(page, file).locator(':scope > th, :scope > td').allTextContents()).map((t) => t.trim());
  assert.equal(cells.length, heads.length, `la ligne de ${file}`);
  return Object.fromEntries(heads.map((h, i) => [h, cells[i]]));
}

async function cellText(page, file, column) {
  const cells = await rowCells(page, file);
  assert.ok(column in cells, `pas de colonne « ${column} » : ${Object.keys(cells)}`);
  return cells[column];
}

// How many leads the base holds (`leadimport export`).
function leadCount() {
  const out = path.join(server.tmp, 'leads.csv');
  server.cli(['export', '-o', out]);
  const n = parseCsv(fs.readFileSync(out, 'utf8')).filter((r) => r.length > 1).length - 1;
  fs.rmSync(out);
  return n;
}

// Page n of the history as the page shows it: the files in order, the
// « Page n sur N » line, the dates and the numbers the French way.
async function checkPage(v, n) {
  const page = v.page;
  const newestFirst = [...imports].reverse();
  const pages = Math.ceil(newestFirst.length / PER_PAGE);
  const expected = newestFirst.slice((n - 1) * PER_PAGE, n * PER_PAGE);
  await page.getByText(`Page ${n} sur ${pages} — ${newestFirst.length} imports`).waitFor();
  assert.deepEqual(await historyTable(page).getByRole('rowheader').allTextContents(), expected.map((i) => i.file),
    `page ${n} : du plus récent au plus ancien`);
  for (const imp of expected) {
    const cells = await rowCells(page, imp.file);
    assert.equal(cells['N°'], String(imp.id));
    assert.match(cells.Date, /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/, `date de ${imp.file}`);
    assert.equal(cells.Date, frDateTime(imp.created_at), `date de ${imp.file} (${imp.created_at}, heure de Paris)`);
    if (imp.file === 'grand-salon.csv') {
      // 1 200, with a narrow no-break space (U+202F), as Intl fr-FR writes it.
      assert.equal(cells.Lignes, '1\u202f200');
      assert.equal(cells['Créés'], '1\u202f200');
    }
  }
  // « Page précédente » and « Page suivante » only where there is one.
  assert.equal(await page.getByRole('link', { name: 'Page précédente' }).count(), n > 1 ? 1 : 0);
  assert.equal(await page.getByRole('link', { name: 'Page suivante' }).count(), n < pages ? 1 : 0);
}

async function openHistory(v) {
  await v.page.goto(server.url + '/#/historique');
  await v.page.getByRole('heading', { name: 'Historique', level: 1 }).waitFor();
  await historyTable(v.page).waitFor();
}

// The history opened, its first page checked, then the second through « Page suivante ».
async function firstTwoPages(v) {
  await openHistory(v);
  await checkPage(v, 1);
  await v.checkpoint('historique-page-1');
  await v.page.getByRole('link', { name: 'Page suivante' }).click();
  await v.page.waitForURL(/#\/historique\?page=2$/);
  await checkPage(v, 2);
  await v.checkpoint('historique-page-2');
}

test("bureau : plus de 20 imports, les pages de l'historique et les actions d'une ligne", { skip: skip || false }, async () => {
  await adminVisit(browser, server, BUREAU, 'historique-pages', async (v) => {
    const page = v.page;
    const session = await apiSessionOf(v);
    await firstTwoPages(v);

    // « Rapport »: the error report of n° 2, its two refused rows.
    const rdv = ids['rendez-vous.csv'];
    const report = await download(page, () => page.getByRole('button', { name: `Rapport d'erreurs de l'import n° ${rdv}` }).click());
    assert.match(report.download.url(), new RegExp(`/files/imports/${rdv}/erreurs\\.csv\\?exp=\\d+&sig=[0-9a-f]{64}$`));
    assert.equal(report.download.suggestedFilename(), 'rendez-vous.erreurs.csv');
    const rows = parseCsv(report.text);
    assert.deepEqual(rows[0].slice(0, 3), ['Ligne', 'Statut', 'Erreurs']);
    assert.deepEqual(rows.slice(1).filter((r) => r[1] === 'refusée').map((r) => r[0]), ['3', '5']);

    // « Supprimer » n° 3, after its confirmation: gone from the history and
    // from the API; its leads stay in the base.
    const gone = imports.find((i) => i.file === 'salon-03.csv');
    const leadsBefore = leadCount();
    await page.getByRole('button', { name: `Supprimer l'import n° ${gone.id}` }).click();
    const confirmDelete = page.getByRole('dialog', { name: 'Supprimer cet import ?' });
    await confirmDelete.waitFor();
    await v.checkpoint('supprimer-confirmation');
    await confirmDelete.getByRole('button', { name: 'Supprimer', exact: true }).click();
    await confirmDelete.waitFor({ state: 'hidden' });
    imports = imports.filter((i) => i !== gone);
    await rowOf(page, gone.file).waitFor({ state: 'detached' });
    await checkPage(v, 2);
    await v.checkpoint('historique-supprime');
    assert.equal((await server.api('GET', `/api/imports/${gone.id}`, session)).status, 404);
    assert.equal(leadCount(), leadsBefore, "supprimer l'import a supprimé ses leads");

    // « Détails » of n° 1: its summary, the French number again.
    const big = ids['grand-salon.csv'];
    await page.getByRole('link', { name: `Détails de l'import n° ${big}` }).click();
    await page.waitForURL(new RegExp(`#/imports/${big}$`));
    await page.getByRole('heading', { name: `Import n° ${big} — grand-salon.csv`, level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Résumé', exact: true }).waitFor();
    assert.equal(await figureText(page, 'Leads créés'), '1\u202f200');
    await v.checkpoint('details');

    // « Relancer » the cancelled n° 23: it waits for a worker, then runs.
    const again = ids['a-relancer.csv'];
    await openHistory(v);
    await rowOf(page, 'a-relancer.csv').getByText('annulé', { exact: true }).waitFor();
    await page.getByRole('button', { name: `Relancer l'import n° ${again}` }).click();
    const confirmRetry = page.getByRole('dialog', { name: 'Relancer cet import ?' });
    await confirmRetry.waitFor();
    await v.checkpoint('relancer-confirmation');
    await confirmRetry.getByRole('button', { name: 'Relancer', exact: true }).click();
    await rowOf(page, 'a-relancer.csv').getByText('en attente', { exact: true }).waitFor();
    await v.checkpoint('historique-relance');
    assert.equal(server.job(again).status, 'queued');
    server.workSync();
    await page.reload();
    await rowOf(page, 'a-relancer.csv').getByText('terminé', { exact: true }).waitFor();
    assert.equal(await cellText(page, 'a-relancer.csv', 'Créés'), '3');
    assert.equal(server.job(again).created, 3);
    await v.checkpoint('historique-relance-termine');
    v.assertNoPageErrors();
  });
});

test("mobile : plus de 20 imports, les pages de l'historique, dates et nombres à la française", { skip: skip || false }, async () => {
  await adminVisit(browser, server, MOBILE, 'historique-pages', async (v) => {
    const page = v.page;
    await firstTwoPages(v);
    await page.getByRole('link', { name: 'Page précédente' }).click();
    await page.waitForURL(/#\/historique$/);
    await checkPage(v, 1);
    // An address past the last page (typed, or its last import deleted): the last page.
    await page.goto(server.url + '/#/historique?page=9');
    await page.waitForURL(/#\/historique\?page=2$/);
    await checkPage(v, 2);
    v.assertNoPageErrors();
  });
});
