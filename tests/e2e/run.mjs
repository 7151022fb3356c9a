// run.mjs — what ctest runs for e2e/browser (not a test): the browser tests
// of tests/e2e under Node's test runner, one file after the other.
//
// Without their prerequisites (the binary, Chromium, the npm packages) every
// test would skip and Node would exit 0: ctest would show a pass. Here the
// whole test is skipped instead (exit 77, ctest's SKIP_RETURN_CODE), with the
// reason, so that it shows as "Skipped" in ctest's summary; under CI=true it
// fails, because install-deps.sh installs them all and their absence there
// is a broken install, not a machine without a browser.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingPrerequisite } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const why = missingPrerequisite();
if (why) {
  console.log(`tests du navigateur non lancés : ${why}`);
  process.exit(process.env.CI === 'true' ? 1 : 77);
}
const files = fs.readdirSync(HERE).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join(HERE, f));
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(r.status === null ? 1 : r.status);
