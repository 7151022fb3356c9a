// access.test.mjs — logging in, and what a `commercial` can reach.
//
// At both widths (1280 and 390 px): a wrong password gets the API's French
// error on the page and no session; the admin's password opens « Nouvel
// import ». A commercial who logs in sees a page that says imports are for
// admins, whichever import page they type in the address bar, and every
// import route of the API answers them 403 `admin_required`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Server, Visit, WIDTHS, ADMIN, PASSWORD, BIN, SOURCE_DIR, missingPrerequisite, openBrowser, login, apiSessionOf,
} from './harness.mjs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const skip = missingPrerequisite();
let server;
let browser;

before(async () => {
  if (skip) return;
  server = await new Server({ workers: 1 }).start();
  server.addUser('anne@exemple.fr', 'Anne Roux', 'commercial');
  browser = await openBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

for (const width of WIDTHS) {
  test(`connexion d'un admin, mauvais mot de passe puis le bon (${width.name})`, { skip: skip || false }, async () => {
    const v = new Visit(browser, server, width, 'connexion');
    await v.run(async () => {
      const page = await v.open();
      await page.getByRole('button', { name: 'Se connecter' }).waitFor();
      await v.checkpoint('connexion');

      await login(page, ADMIN, 'pas-le-bon-mot-de-passe');
      // The API's own message (401 login_failed), shown where a screen
      // reader announces it.
      const alert = page.getByRole('alert').filter({ hasText: /incorrect|refusé|invalide|échou/i });
      await alert.waitFor();
      await v.checkpoint('connexion-refusee');
      assert.equal((await v.context.cookies()).filter((c) => c.name === 'leadimport_session').length, 0);

      await login(page, ADMIN, server.adminPassword);
      await page.getByRole('heading', { name: 'Nouvel import' }).first().waitFor();
      await page.getByLabel('Fichier').waitFor({ state: 'attached' });
      await v.checkpoint('nouvel-import');

      // A reload keeps the session: the page asks GET /api/session.
      await page.reload();
      await page.getByRole('heading', { name: 'Nouvel import' }).first().waitFor();

      // The user guide, from the link beside the file input: served by the
      // server itself, every picture of it loaded.
      await page.getByRole('link', { name: "Guide d'utilisation" }).click();
      await page.getByRole('heading', { name: 'Étape 1 : choisir le fichier' }).waitFor();
      const srcs = await page.locator('main img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src')));
      assert.ok(srcs.length >= 10, JSON.stringify(srcs));
      for (const src of srcs) {
        const r = await server.api('GET', src);
        assert.equal(r.status, 200, src);
        assert.equal(r.headers.get('content-type'), 'image/png', src);
        assert.ok(r.bytes.equals(fs.readFileSync(path.join(SOURCE_DIR, 'docs', src.replace(/^\/aide\//, '')))), src);
      }
      // Pictures load lazily: the last one, scrolled to, is drawn.
      const last = page.locator('main img').last();
      await last.scrollIntoViewIfNeeded();
      await page.waitForFunction(() => { const i = [...document.querySelectorAll('main img')].pop(); return i.complete && i.naturalWidth > 0; });
      await page.evaluate(() => window.scrollTo(0, 0));
      await v.checkpoint('guide', { fullPage: false });
      v.assertNoPageErrors();
    });
  });

  test(`un commercial ne voit aucune page d'import (${width.name})`, { skip: skip || false }, async () => {
    const v = new Visit(browser, server, width, 'commercial');
    await v.run(async () => {
      const page = await v.open();
      await login(page, 'anne@exemple.fr', PASSWORD);
      const notice = page.getByText(/réservés? aux administrateurs/i).first();
      await notice.waitFor();
      await v.checkpoint('commercial');
      // Typing an import page's address shows the same refusal, never the
      // wizard or the history.
      for (const hash of ['#/nouvel-import', '#/historique', '#/imports/1']) {
        await page.goto(server.url + '/' + hash);
        await page.getByText(/réservés? aux administrateurs/i).first().waitFor();
        assert.equal(await page.getByLabel('Fichier').count(), 0, `${hash} : le champ Fichier est là`);
        assert.equal(await page.getByRole('button', { name: 'Analyser' }).count(), 0, hash);
        assert.equal(await page.getByRole('table').count(), 0, `${hash} : un tableau d'imports est là`);
      }
      v.assertNoPageErrors();
    });
  });
}

test("un commercial : chaque route d'import de l'API répond 403 admin_required", { skip: skip || false }, async () => {
  const v = new Visit(browser, server, WIDTHS[0], 'commercial-api');
  await v.run(async () => {
    const page = await v.open();
    await login(page, 'anne@exemple.fr', PASSWORD);
    await page.getByText(/réservés? aux administrateurs/i).first().waitFor();
    // The commercial's own session, as the page holds it: every route of
    // the route table that reads or changes imports (or their saved
    // mappings) is refused. The blank CSV template is open to any session:
    // it holds no data and starts no import.
    const { cookie, csrf } = await apiSessionOf(v);
    const r = spawnSync(BIN, ['serve', '--print-routes'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const routes = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
      .filter((rt) => /^\/api\/(imports|mappings)\b/.test(rt.path));
    assert.ok(routes.length >= 15, `trop peu de routes d'import : ${JSON.stringify(routes)}`);
    for (const rt of routes) {
      const p = rt.path.replace('{id}', '1');
      const a = await server.api(rt.method, p, { cookie, csrf, body: rt.method === 'GET' ? undefined : {} });
      assert.equal(a.status, 403, `${rt.method} ${p} : ${a.status} ${a.text}`);
      assert.equal(JSON.parse(a.text).error.code, 'admin_required', `${rt.method} ${p}`);
    }
  });
});
