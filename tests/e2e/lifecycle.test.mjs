// lifecycle.test.mjs — what happens to imports after the wizard: cancelling
// one while it runs, the history and its filter, undoing one from the
// history, at 1280 px and at 390 px.
//
// The server runs no import itself (--workers 0): a `leadimport worker
// --until-idle` started by the test does the work, as a separate worker
// would in production. So the import page can be looked at (screenshot,
// axe-core) while the import waits for a worker, without a race; then the
// worker starts on a file big enough (a few seconds of work) that the person
// has time to press « Annuler » once the progress moves; the worker stops at
// its next batch. The imports the history lists besides are made through the
// API (what the page does is tested by import.test.mjs; here only the
// history's own gestures are).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import {
  BIN, Server, Visit, WIDTHS, ADMIN, missingPrerequisite, openBrowser, login, apiSessionOf, sampleCsv, sleep, parseCsv,
  adminVisit,
} from './harness.mjs';

const skip = missingPrerequisite();
const [BUREAU, MOBILE] = WIDTHS;
const BIG_ROWS = 200000;
let server;
let browser;

before(async () => {
  if (skip) return;
  server = await new Server({ workers: 0 }).start();
  browser = await openBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// A plain file of distinct, valid leads, written fast (not gen_sample: a
// big file from it takes seconds to write, this one milliseconds).
function bigCsv(dir) {
  const out = path.join(dir, 'export-crm-complet.csv');
  const lines = ['Prénom;Nom;E-mail;Société;Ville'];
  for (let i = 0; i < BIG_ROWS; i++) lines.push(`Camille;Martin ${i};camille.martin.${i}@exemple.fr;Société ${i % 997};Lyon`);
  fs.writeFileSync(out, lines.join('\n') + '\n');
  return out;
}

// How many leads the base holds (`leadimport export`).
function leadCount() {
  const out = path.join(server.tmp, 'leads.csv');
  server.cli(['export', '-o', out]);
  const n = parseCsv(fs.readFileSync(out, 'utf8')).filter((r) => r.length > 1).length - 1;
  fs.rmSync(out);
  return n;
}

// A test as the admin at one width (harness.mjs, adminVisit).
const asAdmin = (width, label, fn) => adminVisit(browser, server, width, label, fn);

// What is queued, done by one worker that stops when the queue is empty.
function workSync() {
  const r = spawnSync(BIN, ['worker', '--until-idle', '--quiet', '--db', server.dbUrl], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

// The same, in the background: the process, and a promise of its exit code.
function workAsync() {
  const w = spawn(BIN, ['worker', '--until-idle', '--quiet', '--db', server.dbUrl], { stdio: 'ignore' });
  return { proc: w, exit: new Promise((resolve) => w.on('exit', (code) => resolve(code))) };
}

// An import done through the API, as a script would: upload, analyse,
// commit, wait for its end. Returns its number.
async function importByApi(session, file) {
  const name = path.basename(file);
  const up = await server.api('POST', `/api/imports?filename=${encodeURIComponent(name)}`, {
    ...session, body: fs.readFileSync(file), headers: { 'Content-Type': 'application/octet-stream' },
  });
  assert.equal(up.status, 201, up.text);
  const id = JSON.parse(up.text).job_id;
  const waitFor = async (states) => {
    for (let i = 0; i < 300; i++) {
      const j = JSON.parse((await server.api('GET', `/api/imports/${id}`, session)).text);
      if (states.includes(j.status)) return j;
      await sleep(100);
    }
    throw new Error(`import ${id} never reached ${states}`);
  };
  assert.equal((await server.api('POST', `/api/imports/${id}/analyse`, session)).status, 202);
  workSync();
  await waitFor(['ready']);
  assert.equal((await server.api('POST', `/api/imports/${id}/commit`, { ...session, body: {} })).status, 202);
  workSync();
  await waitFor(['completed']);
  return id;
}

test('bureau : annuler un import pendant qu\'il tourne, puis filtrer l\'historique', { skip: skip || false }, async () => {
  await asAdmin(BUREAU, 'annulation', async (v) => {
    const page = v.page;
    const file = bigCsv(server.tmp);
    await page.getByLabel('Fichier', { exact: true }).setInputFiles(file);
    await page.getByRole('heading', { name: 'Colonnes', exact: true }).waitFor({ timeout: 30000 });
    await page.getByRole('button', { name: 'Analyser' }).click();
    await page.getByRole('heading', { name: 'Analyse en cours', exact: true }).waitFor();
    workSync();
    await page.getByRole('heading', { name: 'Vérification', exact: true }).waitFor({ timeout: 30000 });
    await page.getByRole('link', { name: 'Continuer vers les options' }).click();
    await page.getByRole('heading', { name: 'Options', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Importer', exact: true }).click();

    // The live progress page, while the import waits for a worker.
    await page.getByRole('heading', { name: 'Import en cours', exact: true }).waitFor();
    await page.getByText(/en attente/).first().waitFor();
    await v.checkpoint('import-en-attente');

    // A worker takes it. On a quiet machine its 200,000 rows take about a
    // second, less than a person needs to click twice: the worker is paused
    // (SIGSTOP) as soon as the job's own record shows leads written, the
    // person clicks « Annuler » on the progress page, and the
    // worker goes on once the cancel is asked for (the server's write may be
    // waiting for the lock the paused worker holds); it stops at its next
    // batch.
    const id = Number(page.url().match(/#\/imports\/(\d+)/)[1]);
    const worker = workAsync();
    for (let i = 0; ; i++) {
      const r = spawnSync(BIN, ['jobs', 'show', String(id), '--json', '--db', server.dbUrl], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      if (j.status === 'importing' && j.commit_row > 0) break;
      assert.ok(!['completed', 'failed', 'cancelled'].includes(j.status) && i < 3000,
        `l'import n'a pas été vu en cours (état ${j.status}, ligne ${j.commit_row})`);
      await sleep(5);
    }
    worker.proc.kill('SIGSTOP');
    try {
      await page.getByRole('button', { name: 'Annuler', exact: true }).click();
      const confirm = page.getByRole('dialog', { name: "Annuler l'import ?" });
      await confirm.waitFor();
      await confirm.getByRole('button', { name: "Annuler l'import" }).click();
      await sleep(300);
    } finally {
      worker.proc.kill('SIGCONT');
    }
    await page.getByRole('heading', { name: 'Résumé', exact: true }).waitFor({ timeout: 30000 });
    assert.equal(await worker.exit, 0, 'le worker a échoué');
    await page.getByRole('status').filter({ hasText: 'Import annulé.' }).first().waitFor();
    await v.checkpoint('import-annule');

    // Stopped mid-way: some leads written, not all, and the page says so.
    const session = await apiSessionOf(v);
    const job = JSON.parse((await server.api('GET', `/api/imports/${id}`, session)).text);
    assert.equal(job.status, 'cancelled');
    assert.ok(job.created < BIG_ROWS, `l'import est allé au bout avant l'annulation : ${job.created} leads`);
    const shown = Number((await page.locator('dl div').filter({ has: page.locator('dt', { hasText: 'Leads créés' }) })
      .locator('dd').first().textContent()).replace(/\s/g, ''));
    assert.equal(shown, job.created);
    // « Relancer » is offered for a cancelled import.
    await page.getByRole('button', { name: 'Relancer' }).waitFor();

    // Two more, completed, through the API; then the history and its filter.
    const small = sampleCsv(server.tmp, 'petit-salon.csv', { rows: 12, seed: 5 });
    await importByApi(session, small);
    await page.getByRole('link', { name: 'Historique' }).first().click();
    await page.getByRole('heading', { name: 'Historique', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Imports, du plus récent au plus ancien' });
    await table.waitFor();
    const files = await table.getByRole('rowheader').allTextContents();
    assert.deepEqual(files, ['petit-salon.csv', 'export-crm-complet.csv'], 'du plus récent au plus ancien');
    await table.getByRole('row').filter({ hasText: 'annulé' }).filter({ hasText: 'export-crm-complet.csv' }).waitFor();
    await v.checkpoint('historique');

    await page.getByLabel('État', { exact: true }).selectOption({ label: 'annulé' });
    await page.waitForURL(/#\/historique\?etat=cancelled/);
    await table.getByRole('rowheader').first().waitFor();
    assert.deepEqual(await table.getByRole('rowheader').allTextContents(), ['export-crm-complet.csv']);
    await v.checkpoint('historique-annules');
    // A reload keeps the filter: it lives in the address.
    await page.reload();
    await table.getByRole('rowheader').first().waitFor();
    assert.deepEqual(await table.getByRole('rowheader').allTextContents(), ['export-crm-complet.csv']);
    assert.equal(await page.getByLabel('État', { exact: true }).inputValue(), 'cancelled');
    await page.getByLabel('État', { exact: true }).selectOption({ label: 'défait' });
    await page.getByText('Aucun import dans cet état.').waitFor();
    v.assertNoPageErrors();
  });
});

test("mobile : défaire un import depuis l'historique", { skip: skip || false }, async () => {
  await asAdmin(MOBILE, 'historique', async (v) => {
    const page = v.page;
    const session = await apiSessionOf(v);
    const file = sampleCsv(server.tmp, 'relance-printemps.csv', { rows: 15, seed: 9, invalidRate: 0, dupRate: 0 });
    const id = await importByApi(session, file);
    const before = JSON.parse((await server.api('GET', `/api/imports/${id}`, session)).text);
    assert.equal(before.created, 15);
    const leadsBefore = leadCount();

    await page.goto(server.url + '/#/historique');
    await page.getByRole('heading', { name: 'Historique', level: 1 }).waitFor();
    await v.checkpoint('historique');
    await page.getByRole('button', { name: `Défaire l'import n° ${id}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Défaire cet import ?' });
    await confirm.waitFor();
    await v.checkpoint('defaire-confirmation');
    // « Retour » changes nothing.
    await confirm.getByRole('button', { name: 'Retour' }).click();
    await confirm.waitFor({ state: 'hidden' });
    assert.equal(JSON.parse((await server.api('GET', `/api/imports/${id}`, session)).text).status, 'completed');

    await page.getByRole('button', { name: `Défaire l'import n° ${id}` }).click();
    await confirm.getByRole('button', { name: "Défaire l'import" }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'relance-printemps.csv' }) });
    await row.getByText('défait', { exact: true }).waitFor();
    await v.checkpoint('historique-defait');
    const after = JSON.parse((await server.api('GET', `/api/imports/${id}`, session)).text);
    assert.equal(after.status, 'reverted');
    // Its 15 leads are gone from the base, the others are still there.
    assert.equal(leadCount(), leadsBefore - 15);
    v.assertNoPageErrors();
  });
});
