// lifecycle.test.mjs — what happens to imports after the wizard, at 1280 px
// and at 390 px: the analysis followed live, cancelling an import while it
// runs, the history and its filter; closing and reopening the page of an
// import that runs, then its summary; undoing one from the history.
//
// The servers run no import themselves (--workers 0): a `leadimport worker
// --until-idle` started by the test does the work, as a separate worker
// would in production. So a page can be looked at (screenshot, axe-core)
// while its import waits for a worker, without a race; then the worker is
// run step by step (harness.mjs, Worker: SIGCONT, 10 ms of work, SIGSTOP,
// the import read from the database) until the import is where the test
// wants it — the analysis under way, leads written — and left paused there
// while the person looks, clicks « Annuler » or reopens the page. On a quiet
// machine the 200,000 rows of the big file take about a second: without the
// pause no click would be in time, with it nothing depends on the speed of
// the machine. The imports the history lists besides are made through the
// API (what the page does is tested by import.test.mjs; here only the
// history's own gestures are).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  Server, Worker, WIDTHS, missingPrerequisite, openBrowser, apiSessionOf, sampleCsv, parseCsv,
  adminVisit, bigCsv, frNum, figure, waitFigure,
} from './harness.mjs';

const skip = missingPrerequisite();
const [BUREAU, MOBILE] = WIDTHS;
const BIG_ROWS = 200000;
const REOPEN_ROWS = 100000;
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

// How many leads the base of srv holds (`leadimport export`).
function leadCount(srv) {
  const out = path.join(srv.tmp, 'leads.csv');
  srv.cli(['export', '-o', out]);
  const n = parseCsv(fs.readFileSync(out, 'utf8')).filter((r) => r.length > 1).length - 1;
  fs.rmSync(out);
  return n;
}

// The import as the API gives it to the page.
async function apiJob(srv, session, id) {
  const r = await srv.api('GET', `/api/imports/${id}`, session);
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text);
}

// An import through the API, as a script would: upload, analyse (a worker
// does it), and unless `stopAtReady`, commit and wait for its end. Returns
// its number.
async function importByApi(srv, session, file, { stopAtReady = false } = {}) {
  const name = path.basename(file);
  const up = await srv.api('POST', `/api/imports?filename=${encodeURIComponent(name)}`, {
    ...session, body: fs.readFileSync(file), headers: { 'Content-Type': 'application/octet-stream' },
  });
  assert.equal(up.status, 201, up.text);
  const id = JSON.parse(up.text).job_id;
  assert.equal((await srv.api('POST', `/api/imports/${id}/analyse`, session)).status, 202);
  srv.workSync();
  assert.equal(srv.job(id).status, 'ready');
  if (stopAtReady) return id;
  assert.equal((await srv.api('POST', `/api/imports/${id}/commit`, { ...session, body: {} })).status, 202);
  srv.workSync();
  assert.equal(srv.job(id).status, 'completed');
  return id;
}

// --- the analysis followed live, an import cancelled, the history filtered ----

// Each width on a server of its own: the history it shows is this test's.
async function cancelMidway(width) {
  const srv = await new Server({ workers: 0 }).start();
  const workers = [];
  try {
    await adminVisit(browser, srv, width, 'annulation', async (v) => {
      const page = v.page;
      const file = bigCsv(srv.tmp, 'export-crm-complet.csv', BIG_ROWS);
      await page.getByLabel('Fichier', { exact: true }).setInputFiles(file);
      await page.getByRole('heading', { name: 'Colonnes', exact: true }).waitFor({ timeout: 30000 });
      await page.getByRole('button', { name: 'Analyser' }).click();

      // « Analyse en cours »: first waiting for a worker, then under way.
      await page.getByRole('heading', { name: 'Analyse en cours', exact: true }).waitFor();
      await page.getByText(/en attente/).first().waitFor();
      const id = Number(page.url().match(/#\/imports\/(\d+)/)[1]);
      await v.checkpoint('analyse-en-attente');
      const parser = new Worker(srv);
      workers.push(parser);
      const parsing = await parser.runUntil(id,
        (j) => j.status === 'parsing' && j.rows > 0 && j.bytes_done < j.bytes_total, "en cours d'analyse");
      // The page, followed live, shows the rows read so far: those of the
      // import as the database has them (the worker is paused).
      await waitFigure(page, 'Lignes lues', frNum(parsing.rows));
      await page.getByText(/Étape : lecture et vérification — état : analyse/).waitFor();
      const analysed = Number(await page.getByRole('progressbar', { name: "Avancement de l'analyse" }).getAttribute('value'));
      assert.equal(analysed, Math.round((100 * parsing.bytes_done) / parsing.bytes_total));
      assert.ok(parsing.rows < BIG_ROWS, `${parsing.rows} lignes lues`);
      await v.checkpoint('analyse-en-cours');
      assert.equal(await parser.finish(), 0, "le worker de l'analyse a échoué");

      await page.getByRole('heading', { name: 'Vérification', exact: true }).waitFor({ timeout: 30000 });
      await page.getByRole('link', { name: 'Continuer vers les options' }).click();
      await page.getByRole('heading', { name: 'Options', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Importer', exact: true }).click();

      // The live progress page, while the import waits for a worker.
      await page.getByRole('heading', { name: 'Import en cours', exact: true }).waitFor();
      await page.getByText(/en attente/).first().waitFor();
      await v.checkpoint('import-en-attente');

      // A worker takes it and is paused once leads are written; the person
      // clicks « Annuler » on the progress page. The server's write of the
      // cancel may wait for the lock the paused worker holds: the worker goes
      // on step by step until the server has answered, then freely; it stops
      // at its next batch.
      const committer = new Worker(srv);
      workers.push(committer);
      const running = await committer.runUntil(id,
        (j) => j.status === 'importing' && j.created > 0, 'en train d\'écrire des leads');
      await waitFigure(page, 'Leads créés', frNum(running.created));
      await v.checkpoint('import-en-cours');
      await page.getByRole('button', { name: 'Annuler', exact: true }).click();
      const confirm = page.getByRole('dialog', { name: "Annuler l'import ?" });
      await confirm.waitFor();
      const answered = page.waitForResponse((r) => r.url().endsWith(`/api/imports/${id}/cancel`));
      await confirm.getByRole('button', { name: "Annuler l'import" }).click();
      const answer = await committer.stepUntil(answered);
      assert.equal(answer.status(), 200, await answer.text());
      assert.equal(await committer.finish(), 0, 'le worker a échoué');
      await page.getByRole('heading', { name: 'Résumé', exact: true }).waitFor({ timeout: 30000 });
      await page.getByRole('status').filter({ hasText: /annulé/ }).first().waitFor();
      await v.checkpoint('import-annule');

      // Stopped mid-way: some leads written, not all, and the page says so.
      const session = await apiSessionOf(v);
      const job = await apiJob(srv, session, id);
      assert.equal(job.status, 'cancelled');
      assert.ok(job.created >= running.created && job.created < BIG_ROWS,
        `l'import est allé au bout avant l'annulation : ${job.created} leads`);
      assert.equal(await figure(page, 'Leads créés'), job.created);
      assert.equal(leadCount(srv), job.created);
      // « Relancer » is offered for a cancelled import.
      await page.getByRole('button', { name: 'Relancer' }).waitFor();

      // Another one, completed, through the API; then the history and its filter.
      const small = sampleCsv(srv.tmp, 'petit-salon.csv', { rows: 12, seed: 5 });
      await importByApi(srv, session, small);
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
      await page.getByLabel('État', { exact: true }).selectOption({ label: 'terminé' });
      await page.waitForURL(/#\/historique\?etat=completed/);
      await table.getByRole('rowheader').first().waitFor();
      assert.deepEqual(await table.getByRole('rowheader').allTextContents(), ['petit-salon.csv']);
      await page.getByLabel('État', { exact: true }).selectOption({ label: 'défait' });
      await page.getByText('Aucun import dans cet état.').waitFor();
      await v.checkpoint('historique-vide');
      v.assertNoPageErrors();
    });
  } finally {
    for (const w of workers) w.kill();
    await srv.stop();
  }
}

for (const width of WIDTHS) {
  test(`${width.name} : l'analyse suivie, un import annulé pendant qu'il tourne, l'historique filtré`, { skip: skip || false }, async () => {
    await cancelMidway(width);
  });
}

// --- closing and reopening the page of a running import --------------------

// The person starts the import, the page shows it running; the page is
// closed and opened again (bureau: its address in a new tab, the first one
// closed; mobile: reloaded): it shows the same import where it is, then
// follows it to its summary.
for (const width of WIDTHS) {
  test(`${width.name} : la page d'un import en cours fermée puis rouverte, jusqu'à son résumé`, { skip: skip || false }, async () => {
    const worker = { current: null };
    try {
      await adminVisit(browser, server, width, 'reprise', async (v) => {
        const session = await apiSessionOf(v);
        const name = `crm-${width.name}.csv`;
        const id = await importByApi(server, session, bigCsv(server.tmp, name, REOPEN_ROWS, width.name), { stopAtReady: true });
        let page = v.page;
        await page.goto(`${server.url}/#/imports/${id}/options`);
        await page.getByRole('heading', { name: 'Options', exact: true }).waitFor();
        await page.getByRole('button', { name: 'Importer', exact: true }).click();
        await page.getByRole('heading', { name: 'Import en cours', exact: true }).waitFor();
        worker.current = new Worker(server);
        const running = await worker.current.runUntil(id, (j) => j.status === 'importing' && j.created > 0, "en train d'écrire des leads");
        assert.ok(running.created < REOPEN_ROWS, `${running.created} leads`);
        await waitFigure(page, 'Leads créés', frNum(running.created));

        if (width === BUREAU) {
          page = await v.newPage(`/#/imports/${id}`, { closeOld: true });
        } else {
          await page.reload();
        }
        // The same import, where it is: its title, « Import en cours », the
        // leads written so far and the bar at the same point.
        await page.getByRole('heading', { name: `Import n° ${id} — ${name}`, level: 1 }).waitFor();
        await page.getByRole('heading', { name: 'Import en cours', exact: true }).waitFor();
        await waitFigure(page, 'Leads créés', frNum(running.created));
        await page.getByText(/Étape : enregistrement des leads — état : import en cours/).waitFor();
        const done = Number(await page.getByRole('progressbar', { name: "Avancement de l'import" }).getAttribute('value'));
        assert.equal(done, Math.round((100 * running.created) / running.valid));
        await page.getByRole('button', { name: 'Annuler', exact: true }).waitFor();
        await v.checkpoint('import-rouvert');

        // The worker goes on: the reopened page follows it to the summary.
        assert.equal(await worker.current.finish(), 0, 'le worker a échoué');
        await page.getByRole('heading', { name: 'Résumé', exact: true }).waitFor({ timeout: 30000 });
        await page.getByRole('status').filter({ hasText: 'Import terminé.' }).first().waitFor();
        await v.checkpoint('resume');
        // 100 000 leads, written the French way (U+202F between thousands).
        await waitFigure(page, 'Leads créés', frNum(REOPEN_ROWS));
        assert.equal(frNum(REOPEN_ROWS), '100\u202f000');
        const job = await apiJob(server, session, id);
        assert.equal(job.status, 'completed');
        assert.equal(job.created, REOPEN_ROWS);
        v.assertNoPageErrors();
      });
    } finally {
      if (worker.current) worker.current.kill();
    }
  });
}

// --- undoing an import from the history -------------------------------------

test("mobile : défaire un import depuis l'historique", { skip: skip || false }, async () => {
  await adminVisit(browser, server, MOBILE, 'historique', async (v) => {
    const page = v.page;
    const session = await apiSessionOf(v);
    const file = sampleCsv(server.tmp, 'relance-printemps.csv', { rows: 15, seed: 9, invalidRate: 0, dupRate: 0 });
    const id = await importByApi(server, session, file);
    const before = await apiJob(server, session, id);
    assert.equal(before.created, 15);
    const leadsBefore = leadCount(server);

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
    assert.equal((await apiJob(server, session, id)).status, 'completed');

    await page.getByRole('button', { name: `Défaire l'import n° ${id}` }).click();
    await confirm.getByRole('button', { name: "Défaire l'import" }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'relance-printemps.csv' }) });
    await row.getByText('défait', { exact: true }).waitFor();
    await v.checkpoint('historique-defait');
    assert.equal((await apiJob(server, session, id)).status, 'reverted');
    // Its 15 leads are gone from the base, the others are still there.
    assert.equal(leadCount(server), leadsBefore - 15);
    v.assertNoPageErrors();
  });
});
