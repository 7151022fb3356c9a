// harness.mjs — what every browser test of the web page shares (not a test).
//
// * startServer(): a real `leadimport serve` on a free port of 127.0.0.1, a
//   temporary database and data folder, `--first-admin` whose password is
//   read from the start line; always stopped (SIGTERM, then SIGKILL) by
//   server.stop(), by an exit hook if the test process dies first.
// * addUser(): `leadimport users add` on the server's database (SQLite lets
//   the command and the server share it), for commercials and more.
// * openBrowser(): Debian's Chromium driven by playwright-core, headless,
//   never a browser downloaded by Playwright. launch() gives each browser a
//   fresh profile (a new --user-data-dir in a temporary folder) and each
//   context its own cookies, so an admin and a commercial never share a
//   session.
// * Worker: a separate `leadimport worker --until-idle` run step by step
//   (SIGSTOP/SIGCONT) until its import is where a test wants to look at it,
//   then left paused: the page shows a running import for as long as the
//   test needs, whatever the speed of the machine.
// * Step: screenshots (build/e2e-output/<width>/NN-name.png), an axe-core
//   check (no serious or critical violation) and the page's console errors
//   (a CSP violation, an uncaught exception) collected and asserted empty.
//
// Controls are found as a person finds them: getByLabel, getByRole, by their
// visible French names (the names the issue fixes: « E-mail »,
// « Mot de passe », « Se connecter », « Nouvel import », « Fichier »,
// « Analyser », « Importer »).
import { spawn, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = process.env.LI_SOURCE_DIR || path.resolve(HERE, '..', '..');
export const BIN = process.env.LEADIMPORT_BIN || path.join(SOURCE_DIR, 'build', 'leadimport');
export const OUTPUT_DIR = process.env.LI_E2E_OUTPUT || path.join(SOURCE_DIR, 'build', 'e2e-output');
export const CHROMIUM = process.env.LI_CHROMIUM || '/usr/bin/chromium';

export const ADMIN = 'admin@exemple.fr';
// Passes the password rules (12 characters, no dictionary word alone).
export const PASSWORD = 'agrafe-cheval-lune-pile';

// The two widths of the issue: a laptop and a phone.
export const WIDTHS = [
  { name: 'bureau', width: 1280, height: 900 },
  { name: 'mobile', width: 390, height: 844 },
];

const START_TIMEOUT_MS = 30000;
const STOP_TIMEOUT_MS = 10000;

// Why a test cannot run here (no binary, no Chromium, no npm packages), or
// null. The tests skip visibly with this text rather than fail on a machine
// that lacks them; install-deps.sh installs them all.
export function missingPrerequisite() {
  if (!fs.existsSync(BIN)) return `pas de binaire leadimport (${BIN}) : compilez d'abord`;
  if (!fs.existsSync(CHROMIUM)) return `pas de Chromium (${CHROMIUM}) : scripts/install-deps.sh l'installe`;
  try {
    require.resolve('playwright-core');
    require.resolve('axe-core');
  } catch {
    return 'playwright-core ou axe-core absent de tests/e2e/node_modules : scripts/install-deps.sh les installe';
  }
  // A server built before the page existed serves no GET /.
  const routes = spawnSync(BIN, ['serve', '--print-routes'], { encoding: 'utf8' });
  if (routes.status !== 0 || !routes.stdout.includes('{"method":"GET","path":"/",')) {
    return "ce leadimport ne sert pas la page web (pas de route GET / dans serve --print-routes)";
  }
  return null;
}

// --- the server -------------------------------------------------------------

const live = new Set();
const liveWorkers = new Set();
process.on('exit', () => {
  for (const w of liveWorkers) w.kill();
  for (const srv of live) srv.kill();
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const srv of live) srv.kill();
    process.exit(130);
  });
}

export class Server {
  constructor({ workers = 2, args = [] } = {}) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'li-e2e-'));
    this.dbUrl = 'sqlite:' + path.join(this.tmp, 'e2e.db');
    this.dataDir = path.join(this.tmp, 'data');
    this.logPath = path.join(this.tmp, 'serve.log');
    this.workers = workers;
    this.args = args;
    this.proc = null;
    this.url = null;
    this.adminPassword = null;
  }

  log() {
    try {
      return fs.readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  async start() {
    fs.mkdirSync(this.dataDir, { recursive: true });
    const log = fs.openSync(this.logPath, 'a');
    this.proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--db', this.dbUrl,
      '--data-dir', this.dataDir, '--workers', String(this.workers),
      '--first-admin', ADMIN, ...this.args],
    { cwd: this.tmp, stdio: ['ignore', log, log], env: cleanEnv() });
    fs.closeSync(log);
    live.add(this);
    const deadline = Date.now() + START_TIMEOUT_MS;
    try {
      while (Date.now() < deadline) {
        const text = this.log();
        const url = text.match(/http:\/\/127\.0\.0\.1:(\d+)/);
        const pw = text.match(/mot de passe : (\S+?) \(/);
        if (url && pw && url[1] !== '0') {
          this.url = url[0];
          this.adminPassword = pw[1];
          break;
        }
        if (this.proc.exitCode !== null) throw new Error(`serve s'est arrêté (${this.proc.exitCode}) :\n${text}`);
        await sleep(20);
      }
      if (!this.url) throw new Error(`serve n'a donné ni adresse ni mot de passe en ${START_TIMEOUT_MS} ms :\n${this.log()}`);
      while (Date.now() < deadline) {
        try {
          const r = await fetch(this.url + '/healthz');
          if (r.status === 200) return this;
        } catch { /* not listening yet */ }
        await sleep(50);
      }
      throw new Error(`/healthz n'a jamais répondu 200 :\n${this.log()}`);
    } catch (e) {
      this.kill();
      throw e;
    }
  }

  // SIGTERM, then SIGKILL if it is still there after STOP_TIMEOUT_MS.
  async stop() {
    const proc = this.proc;
    if (!proc) return;
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await gone;
      clearTimeout(timer);
    }
    this.proc = null;
    live.delete(this);
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  kill() {
    if (this.proc && this.proc.exitCode === null) this.proc.kill('SIGKILL');
    this.proc = null;
    live.delete(this);
  }

  // A leadimport command on the server's database; throws unless it exits 0.
  cli(args, input, { env = {}, timeout } = {}) {
    const r = spawnSync(BIN, [...args, '--db', this.dbUrl], {
      cwd: this.tmp, input, encoding: 'utf8', env: { ...cleanEnv(), ...env }, timeout, killSignal: 'SIGKILL',
    });
    if (r.error && r.error.code === 'ETIMEDOUT') throw new Error(`leadimport ${args.join(' ')} : pas de réponse en ${timeout} ms (verrouillage)`);
    if (r.status !== 0) throw new Error(`leadimport ${args.join(' ')} : code ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  // An import as `leadimport jobs show --json` gives it: read from the
  // database, not from the server's short cache. impatient: the command
  // waits for no lock (LEADIMPORT_BUSY_TIMEOUT=0.05 instead of 10 s) and is
  // stopped after 1.5 s (SQLite's own retries on a WAL index lock take 10 s
  // before « verrouillage de la base impossible »).
  job(id, { impatient = false } = {}) {
    const opts = impatient ? { env: { LEADIMPORT_BUSY_TIMEOUT: '0.05' }, timeout: 1500 } : {};
    return JSON.parse(this.cli(['jobs', 'show', String(id), '--json'], undefined, opts));
  }

  // The leads of the base, as `leadimport export` writes them: one object per lead, by header.
  exportedLeads() {
    const out = path.join(this.tmp, `export-${Date.now()}.csv`);
    this.cli(['export', '-o', out]);
    const rows = parseCsv(fs.readFileSync(out, 'utf8'));
    fs.rmSync(out);
    const head = rows[0];
    return rows.slice(1).filter((r) => r.length > 1).map((r) => Object.fromEntries(head.map((k, i) => [k, r[i]])));
  }

  // What is queued, done by one worker that stops when the queue is empty.
  workSync() {
    const r = spawnSync(BIN, ['worker', '--until-idle', '--quiet', '--db', this.dbUrl], {
      cwd: this.tmp, encoding: 'utf8', env: cleanEnv(),
    });
    if (r.status !== 0) throw new Error(`leadimport worker : code ${r.status}\n${r.stderr}`);
  }

  addUser(email, name, role) {
    this.cli(['users', 'add', email, '--name', name, '--role', role, '--password-stdin'], PASSWORD + '\n');
  }

  // The HTTP API as a script would use it, for checks beside the page
  // (a commercial's refused calls, a report's rows).
  async api(method, p, { cookie, csrf, body, headers } = {}) {
    const h = { ...(headers || {}) };
    if (cookie) h.Cookie = cookie;
    if (csrf) h['X-CSRF-Token'] = csrf;
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      body = JSON.stringify(body);
      h['Content-Type'] = 'application/json';
    }
    const r = await fetch(this.url + p, { method, headers: h, body, redirect: 'manual' });
    const bytes = Buffer.from(await r.arrayBuffer());
    return { status: r.status, headers: r.headers, bytes, text: bytes.toString('utf8') };
  }
}

function cleanEnv() {
  const env = { ...process.env, LANG: 'C.UTF-8' };
  delete env.LEADIMPORT_DB;
  delete env.LEADIMPORT_FIRST_ADMIN;
  return env;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- a worker, step by step -------------------------------------------------

const WAITING_OR_ENDED = ['uploaded', 'ready', 'completed', 'failed', 'cancelled', 'rejected', 'reverted'];
const SLICE_MS = 10;

// A separate `leadimport worker --until-idle` on the server's database (the
// server started with --workers 0), paused from its start. runUntil() lets
// it work in slices of 10 ms, reading the import between two slices while it
// is stopped, until the import is where the test wants it; the worker stays
// paused there (SIGSTOP), so the page can be looked at, screenshotted and
// checked as long as needed, on a fast machine as on a slow one. finish()
// lets it go to the end of the queue.
export class Worker {
  constructor(server) {
    this.server = server;
    this.proc = spawn(BIN, ['worker', '--until-idle', '--quiet', '--db', server.dbUrl], {
      cwd: server.tmp, stdio: 'ignore', env: cleanEnv(),
    });
    this.proc.on('error', () => {}); // a signal to a process already gone
    this.exit = new Promise((resolve) => this.proc.on('exit', (code) => { liveWorkers.delete(this); resolve(code); }));
    liveWorkers.add(this);
    this.signal('SIGSTOP');
  }

  running() {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  signal(sig) {
    if (this.running()) this.proc.kill(sig);
  }

  // Steps until pred(job) holds for the import `id` (as `jobs show --json`
  // gives it, read while the worker is stopped); returns that job, the worker
  // paused. Fails if the import waits for the person or ends first: the
  // moment was missed.
  async runUntil(id, pred, what) {
    let j = null;
    for (let i = 0; i < 3000; i++) {
      this.signal('SIGCONT');
      await sleep(SLICE_MS);
      this.signal('SIGSTOP');
      // Stopped at a moment where it holds a lock the reading command needs
      // (the write lock, or one of SQLite's WAL index while it restarts the
      // WAL: « base occupée », « verrouillage de la base impossible »), the
      // worker keeps it out, and the server's own reads and writes too. It
      // is never left paused there: the command gives up early, one more
      // step, read again.
      try {
        j = this.server.job(id, { impatient: true });
      } catch (e) {
        if (/verrouillage|verrouillée|occupée|pas de réponse/.test(e.message)) continue;
        throw e;
      }
      if (pred(j)) return j;
      if (WAITING_OR_ENDED.includes(j.status) || !this.running()) break;
    }
    throw new Error(`import n° ${id} jamais vu ${what} (état ${j && j.status}, étape ${j && j.phase}, octets ${j && j.bytes_done}, ligne ${j && j.commit_row})`);
  }

  // Steps until `promise` settles (a request of the page the server may
  // only answer once the paused worker lets go of the database's write lock):
  // 10 ms of work, then up to 150 ms paused for the server to take its turn.
  // Resolves what the promise resolves; the worker is left paused.
  async stepUntil(promise, timeoutMs = 30000) {
    let settled = false;
    const watched = promise.then((v) => { settled = true; return v; }, (e) => { settled = true; throw e; });
    const deadline = Date.now() + timeoutMs;
    while (!settled && Date.now() < deadline) {
      this.signal('SIGCONT');
      await sleep(SLICE_MS);
      this.signal('SIGSTOP');
      for (let i = 0; i < 15 && !settled; i++) await sleep(10);
    }
    if (!settled) throw new Error(`pas de réponse du serveur en ${timeoutMs} ms`);
    return watched;
  }

  // The worker goes on to the end of the queue; resolves its exit code.
  finish() {
    this.signal('SIGCONT');
    return this.exit;
  }

  kill() {
    this.signal('SIGKILL');
  }
}

// --- data files -------------------------------------------------------------

// A generated CSV (tools/gen_sample.py: realistic French leads, invalid and
// duplicate rows at the given rates). Returns its path.
export function sampleCsv(dir, name, { rows, seed = 1, invalidRate = 0.05, dupRate = 0.05 }) {
  const out = path.join(dir, name);
  const r = spawnSync('python3', [path.join(SOURCE_DIR, 'tools', 'gen_sample.py'), '--rows', String(rows),
    '--seed', String(seed), '--invalid-rate', String(invalidRate), '--dup-rate', String(dupRate),
    '--out', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gen_sample.py : ${r.stderr}`);
  return out;
}

// A plain file of `rows` distinct, valid leads, written fast (gen_sample.py
// takes seconds for a big file, this milliseconds). `tag` makes the e-mails,
// hence the file, differ from another one's (no « déjà importé »).
export function bigCsv(dir, name, rows, tag = 'a') {
  const out = path.join(dir, name);
  const lines = ['Prénom;Nom;E-mail;Société;Ville'];
  for (let i = 0; i < rows; i++) lines.push(`Camille;Martin ${i};camille.${tag}.${i}@exemple.fr;Société ${i % 997};Lyon`);
  fs.writeFileSync(out, lines.join('\n') + '\n');
  return out;
}

// --- French formatting, written independently of web/format.js -------------

// 1234567 → "1 234 567" with U+202F (narrow no-break space) between the
// groups, as Intl fr-FR writes it (the issue: « numbers with thin spaces »).
export function frNum(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}

// An ISO time → "JJ/MM/AAAA HH:MM" in Paris time (the browser's context is
// Europe/Paris).
export function frDateTime(iso) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

// Debian's Python has python3-openpyxl (install-deps.sh); a python3 found
// first in PATH (a virtualenv, pyenv) may not.
const SYSTEM_PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

// The same rows as an Excel workbook (openpyxl), on a sheet named `sheet`
// behind a first sheet `Notes` (a small table of its own, as a salesperson's
// workbook has), so that choosing the sheet matters.
export function csvToXlsx(csvPath, xlsxPath, sheet = 'Prospects') {
  const script = `
import csv, sys, openpyxl
wb = openpyxl.Workbook()
notes = wb.active
notes.title = "Notes"
notes.append(["Date", "Remarque"])
notes.append(["12/03/2026", "Liste du salon de Lyon"])
notes.append(["13/03/2026", "Relancer les contacts chauds"])
ws = wb.create_sheet(sys.argv[3])
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for row in csv.reader(f):
        ws.append(row)
wb.save(sys.argv[2])
`;
  const r = spawnSync(SYSTEM_PYTHON, ['-c', script, csvPath, xlsxPath, sheet], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openpyxl : ${r.stderr}`);
  return xlsxPath;
}

// Parses a CSV of the reports (« ; », UTF-8 with BOM, quoted fields that may
// hold line breaks) into rows of strings.
export function parseCsv(text, sep = ';') {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// --- the browser ------------------------------------------------------------

export async function openBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const AXE_SOURCE = () => fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// One person at one width: a browser context of its own (its cookies), one
// page, the page's errors, the screenshots and the accessibility checks.
export class Visit {
  constructor(browser, server, width, label) {
    this.browser = browser;
    this.server = server;
    this.width = width;
    this.label = label; // folder of the screenshots: e.g. "import-csv"
    this.errors = [];
    this.shots = [];
    this.step = 0;
    this.axeChecked = [];
  }

  async open() {
    // This visit's screenshots replace those of an earlier run.
    fs.rmSync(path.join(OUTPUT_DIR, this.width.name, this.label), { recursive: true, force: true });
    this.context = await this.browser.newContext({
      viewport: { width: this.width.width, height: this.width.height },
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
      acceptDownloads: true,
    });
    this.context.setDefaultTimeout(15000);
    this.page = this.watch(await this.context.newPage());
    await this.page.goto(this.server.url + '/');
    return this.page;
  }

  // The page's uncaught exceptions and console errors, collected.
  watch(page) {
    page.on('pageerror', (e) => this.errors.push(`exception : ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !isExpectedHttpError(m.text())) this.errors.push(`console : ${m.text()} (${m.location().url})`);
    });
    return page;
  }

  // The same person opens an address of the page in a new tab (the same
  // cookies, so the same session); it becomes the page the screenshots and
  // the checks look at. closeOld: the former tab is closed first, as a person
  // who closed the page and comes back.
  async newPage(address, { closeOld = false } = {}) {
    if (closeOld && this.page) await this.page.close();
    this.page = this.watch(await this.context.newPage());
    await this.page.goto(this.server.url + address);
    return this.page;
  }

  async close() {
    if (this.context) await this.context.close();
    this.context = null;
  }

  // A screenshot of the whole page (or of what the window shows, for a long
  // page such as the guide), named by its order and the step.
  async shot(name, { fullPage = true } = {}) {
    this.step += 1;
    const dir = path.join(OUTPUT_DIR, this.width.name, this.label);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${String(this.step).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file, fullPage });
    this.shots.push(file);
    return file;
  }

  // axe-core in the page as it is now: no serious or critical violation.
  // The source is evaluated through the DevTools protocol, which the page's
  // Content-Security-Policy (default-src 'self') does not apply to, so the
  // page is tested with its real policy.
  async checkA11y(where) {
    const page = this.page;
    const has = await page.evaluate(() => typeof window.axe !== 'undefined');
    if (!has) await page.evaluate(AXE_SOURCE());
    const result = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\n').slice(0, 3).join(' ')),
      }));
    });
    const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    this.axeChecked.push(where);
    assert.deepEqual(bad, [], `axe-core, ${where} (${this.width.name}) : violations graves\n${JSON.stringify(bad, null, 2)}`);
    return result;
  }

  // Screenshot and accessibility check of one step of the flow.
  async checkpoint(name, options) {
    await this.shot(name, options);
    await this.checkA11y(name);
  }

  // Runs fn; on failure, a screenshot of the page as it was (NN-echec.png)
  // before the error goes on; the context is closed either way.
  async run(fn) {
    try {
      await fn(this.page);
    } catch (e) {
      if (this.page) await this.shot('echec').catch(() => {});
      throw e;
    } finally {
      await this.close();
    }
  }

  assertNoPageErrors() {
    assert.deepEqual(this.errors, [], `erreurs de la page (${this.width.name}, ${this.label})`);
  }
}

// A failed request the page expects and handles (a wrong password's 401, a
// 409 of a file already imported, a commercial's 403) is logged by Chromium
// as a console error; it is not a fault of the page. Anything else is.
function isExpectedHttpError(text) {
  return /Failed to load resource: the server responded with a status of (401|403|409)/.test(text);
}

// The API session of a browser context: its cookie and the CSRF token that
// GET /api/session gives back, to call the API as that user would.
export async function apiSessionOf(visit) {
  const cookies = await visit.context.cookies();
  const c = cookies.find((k) => k.name === 'leadimport_session');
  assert.ok(c, 'pas de cookie de session après la connexion');
  const cookie = `${c.name}=${c.value}`;
  const r = await visit.server.api('GET', '/api/session', { cookie });
  assert.equal(r.status, 200, r.text);
  return { cookie, csrf: JSON.parse(r.text).csrf_token };
}

// --- a person's gestures ----------------------------------------------------

// Logs in through the page, as a person does: the two labelled fields and the
// « Se connecter » button.
export async function login(page, email, password) {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

// A test as the admin at one width: logged in through the page (« Nouvel
// import » shown), then fn(v); a failure leaves a screenshot of the page
// (NN-echec.png).
export async function adminVisit(browser, server, width, label, fn) {
  const v = new Visit(browser, server, width, label);
  await v.run(async () => {
    const page = await v.open();
    await login(page, ADMIN, server.adminPassword);
    await page.getByRole('heading', { name: 'Nouvel import', level: 1 }).waitFor();
    await fn(v);
  });
}

// A figure of a summary or of the live progress (a <dl> of terms and
// numbers): the text of the number shown beside the term `name`.
export async function figureText(page, name) {
  return (await page.locator('dl div').filter({ has: page.locator('dt', { hasText: name }) })
    .locator('dd').first().textContent()).trim();
}

// The same, as a number (its French spaces removed).
export async function figure(page, name) {
  return Number((await figureText(page, name)).replace(/\s/g, ''));
}

// Waits until the figure `name` shows exactly `text` (the page follows the
// import live: it may show an earlier state first).
export async function waitFigure(page, name, text, timeout = 15000) {
  const deadline = Date.now() + timeout;
  let seen;
  for (;;) {
    seen = await figureText(page, name).catch(() => null);
    if (seen === text) return;
    if (Date.now() > deadline) break;
    await sleep(100);
  }
  assert.equal(seen, text, `« ${name} » n'a pas montré ${JSON.stringify(text)}`);
}

// Clicks what starts a download and returns it, with the text of the file.
export async function download(page, click) {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await d.path();
  return { download: d, text: fs.readFileSync(file, 'utf8'), bytes: fs.readFileSync(file) };
}
