// mapping-options.test.mjs — what the wizard offers beside its main road:
// the CSV template to download (its header line the server's, at 1280 px
// and at 390 px); a saved mapping chosen in step « Colonnes » (made first by
// `leadimport mappings save`) that changes the field of a column; and the
// match keys and overwrite of step « Options », sent with « Importer » and
// followed by the import (1280 px).
//
// The base holds five leads first (`leadimport import`), « Ancienne SARL »,
// known by their external ID only; the file the person imports has the same
// IDs with other e-mails and « Nouvelle SAS »: matched on « ID externe »
// alone, with « Mettre à jour » and « Remplacer les valeurs déjà remplies »,
// the five leads are updated and their company replaced; with the default
// keys (e-mail, téléphone) five new leads would be created.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  BIN, Server, WIDTHS, ADMIN, missingPrerequisite, openBrowser, apiSessionOf, adminVisit,
  figure, download, sleep,
} from './harness.mjs';

const skip = missingPrerequisite();
const [BUREAU] = WIDTHS;
const MAPPING = 'Salon sans ville';
const CITIES = ['Lyon', 'Nantes', 'Lille', 'Rennes', 'Dijon'];
let server;
let browser;
let wizardFile;

before(async () => {
  if (skip) return;
  server = await new Server({ workers: 2 }).start();
  const dir = server.tmp;
  const first = path.join(dir, 'crm-ancien.csv');
  fs.writeFileSync(first, 'Prénom;Nom;E-mail;Société;ID externe\n'
    + CITIES.map((_, i) => `Camille;Martin ${i};camille.ancien.${i}@exemple.fr;Ancienne SARL;CRM-00${i}`).join('\n') + '\n');
  server.cli(['import', first, '--as', ADMIN, '--quiet']);
  wizardFile = path.join(dir, 'salon-automne.csv');
  fs.writeFileSync(wizardFile, 'Prénom;Nom;E-mail;Société;Ville;ID externe\n'
    + CITIES.map((c, i) => `Camille;Martin ${i};camille.nouveau.${i}@exemple.fr;Nouvelle SAS;${c};CRM-00${i}`).join('\n') + '\n');
  // The saved mapping: the column « Ville » goes to the notes.
  server.cli(['mappings', 'save', MAPPING, wizardFile, '--map', 'notes=Ville']);
  browser = await openBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

for (const width of WIDTHS) {
  test(`${width.name} : le modèle CSV téléchargé depuis « Nouvel import »`, { skip: skip || false }, async () => {
    await adminVisit(browser, server, width, 'modele', async (v) => {
      const page = v.page;
      await v.checkpoint('nouvel-import');
      const got = await download(page, () => page.getByRole('link', { name: 'Télécharger le modèle CSV' }).click());
      assert.equal(got.download.suggestedFilename(), 'modele-leads.csv');
      // What the server gives for GET /api/template.csv, byte for byte, and
      // its header line that of `leadimport template`.
      const api = await server.api('GET', '/api/template.csv', { cookie: (await apiSessionOf(v)).cookie });
      assert.equal(api.status, 200);
      assert.match(api.headers.get('content-type'), /^text\/csv/);
      assert.ok(got.bytes.equals(api.bytes), 'le fichier téléchargé diffère de GET /api/template.csv');
      const header = (text) => text.replace(/^\uFEFF/, '').split(/\r?\n/)[0];
      const cli = spawnSync(BIN, ['template', '-o', '-'], { encoding: 'utf8' });
      assert.equal(cli.status, 0, cli.stderr);
      assert.equal(header(got.text), header(cli.stdout));
      assert.equal(header(got.text).split(';')[0], 'Prénom');
      assert.ok(header(got.text).split(';').includes('E-mail') && header(got.text).split(';').includes('Assigné à'), header(got.text));
      v.assertNoPageErrors();
    });
  });
}

test('bureau : une correspondance enregistrée appliquée, les clés de rapprochement et l\'écrasement envoyés', { skip: skip || false }, async () => {
  await adminVisit(browser, server, BUREAU, 'correspondance-options', async (v) => {
    const page = v.page;
    await page.getByLabel('Fichier', { exact: true }).setInputFiles(wizardFile);
    await page.getByRole('heading', { name: 'Colonnes', exact: true }).waitFor();
    await page.getByRole('table', { name: 'Colonnes du fichier' }).waitFor();
    const villeRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Ville', exact: true }) });
    const villeField = page.getByLabel('Champ pour la colonne « Ville »');
    // Detected from its header first.
    assert.equal(await villeField.inputValue(), 'city');
    await villeRow.getByText('nom de colonne reconnu').waitFor();

    // The saved mapping, chosen by its name: « Ville » now feeds the notes.
    const saved = page.getByLabel('Correspondance enregistrée', { exact: true });
    await saved.selectOption({ label: MAPPING });
    await villeRow.getByText('correspondance enregistrée choisie').waitFor();
    assert.equal(await villeField.inputValue(), 'notes');
    assert.equal((await villeRow.getByRole('cell').nth(1).textContent()).trim(), 'Notes');
    await page.getByText(`Correspondance appliquée : « ${MAPPING} ».`).waitFor();
    assert.equal(await saved.inputValue(), MAPPING);
    // The other columns keep their field.
    assert.equal(await page.getByLabel('Champ pour la colonne « ID externe »').inputValue(), 'external_id');
    await v.checkpoint('colonnes-correspondance');

    await page.getByRole('button', { name: 'Analyser' }).click();
    await page.getByRole('heading', { name: 'Vérification', exact: true }).waitFor({ timeout: 30000 });
    await page.getByRole('link', { name: 'Continuer vers les options' }).click();
    await page.getByRole('heading', { name: 'Options', exact: true }).waitFor();

    // « ID externe » alone as the match key, « Mettre à jour », overwrite.
    const keys = page.getByRole('group', { name: 'Clés de rapprochement (pour reconnaître un doublon)' });
    assert.ok(await keys.getByRole('checkbox', { name: 'E-mail' }).isChecked());
    assert.ok(await keys.getByRole('checkbox', { name: 'Téléphone' }).isChecked());
    assert.equal(await keys.getByRole('checkbox', { name: 'ID externe' }).isChecked(), false);
    await keys.getByRole('checkbox', { name: 'E-mail' }).uncheck();
    await keys.getByRole('checkbox', { name: 'Téléphone' }).uncheck();
    await keys.getByRole('checkbox', { name: 'ID externe' }).check();
    await page.getByRole('radio', { name: /^Mettre à jour/ }).check();
    await page.getByRole('checkbox', { name: 'Remplacer les valeurs déjà remplies' }).check();
    // The predictions, asked again with these keys: the five rows now find
    // their lead.
    const table = page.getByRole('table', { name: 'Ce que ferait chaque stratégie de doublons' });
    const updateRow = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^Mettre à jour/ }) });
    const deadline = Date.now() + 15000;
    let cells;
    do {
      cells = (await updateRow.getByRole('cell').allTextContents()).map((t) => t.trim());
      if (cells[0] === '0' && cells[1] === '5') break;
      await sleep(100);
    } while (Date.now() < deadline);
    assert.deepEqual(cells, ['0', '5', '0', '0'], 'prévision de « Mettre à jour » (créés, mis à jour, ignorés, signalés)');
    await v.checkpoint('options-cles');

    // « Importer » sends the options chosen.
    const [commit] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && /\/api\/imports\/\d+\/commit$/.test(r.url())),
      page.getByRole('button', { name: 'Importer', exact: true }).click(),
    ]);
    const body = commit.postDataJSON();
    assert.equal(body.on_duplicate, 'update');
    assert.deepEqual(body.match, ['external_id']);
    assert.equal(body.overwrite, true);
    assert.deepEqual(body.assign, { mode: 'none' });
    await page.getByRole('heading', { name: 'Résumé', exact: true }).waitFor({ timeout: 30000 });
    await page.getByRole('status').filter({ hasText: 'Import terminé.' }).first().waitFor();
    await v.checkpoint('resume');
    assert.equal(await figure(page, 'Leads créés'), 0);
    assert.equal(await figure(page, 'Mis à jour'), 5);

    // In the base: still five leads, found by their ID, company and e-mail
    // replaced (overwrite), the city in the notes (the saved mapping).
    const leads = server.exportedLeads();
    assert.equal(leads.length, 5, JSON.stringify(leads));
    const id = Number(page.url().match(/#\/imports\/(\d+)/)[1]);
    const job = JSON.parse((await server.api('GET', `/api/imports/${id}`, await apiSessionOf(v))).text);
    assert.equal(job.updated, 5);
    for (const [i, city] of CITIES.entries()) {
      const lead = leads.find((l) => l['ID externe'] === `CRM-00${i}`);
      assert.ok(lead, `CRM-00${i}`);
      assert.equal(lead['Société'], 'Nouvelle SAS', JSON.stringify(lead));
      assert.equal(lead['E-mail'], `camille.nouveau.${i}@exemple.fr`, JSON.stringify(lead));
      assert.equal(lead.Notes, city, JSON.stringify(lead));
      assert.equal(lead.Ville, '', JSON.stringify(lead));
    }
    v.assertNoPageErrors();
  });
});
