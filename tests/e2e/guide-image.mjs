// guide-image.mjs — makes a small picture for the user guide (docs/img/) out
// of a screenshot of the browser tests (build/e2e-output/…): the top of it,
// scaled down, drawn by the same headless Chromium (the machine has no
// image tool, and the server embeds docs/img/ in its binary, so small
// matters). Not a test; run by hand when the page changes:
//
//   node tests/e2e/guide-image.mjs build/e2e-output/bureau/import-csv/04-verification.png \
//        docs/img/guide-verification.png [largeur=760] [hauteur-max-source=1200]
import fs from 'node:fs';
import { openBrowser } from './harness.mjs';

const [src, dest, widthArg, maxHeightArg] = process.argv.slice(2);
if (!src || !dest) {
  console.error('usage : node tests/e2e/guide-image.mjs SOURCE.png DESTINATION.png [largeur] [hauteur-max-source]');
  process.exit(2);
}
const width = Number(widthArg || 760);
const maxHeight = Number(maxHeightArg || 1200);
const png = fs.readFileSync(src);
// A PNG's size is in its IHDR chunk: width at byte 16, height at byte 20.
const srcWidth = png.readUInt32BE(16);
const srcHeight = Math.min(png.readUInt32BE(20), maxHeight);
const scale = Math.min(1, width / srcWidth);
const outW = Math.round(srcWidth * scale);
const outH = Math.round(srcHeight * scale);

const browser = await openBrowser();
try {
  const page = await browser.newPage({ viewport: { width: outW, height: outH }, deviceScaleFactor: 1 });
  await page.setContent(`<body style="margin:0;overflow:hidden"><img style="display:block;width:${outW}px" src="data:image/png;base64,${png.toString('base64')}"></body>`);
  await page.locator('img').evaluate((img) => img.decode());
  await page.screenshot({ path: dest, clip: { x: 0, y: 0, width: outW, height: outH } });
  console.log(`${dest} : ${outW}×${outH}, ${fs.statSync(dest).size} octets`);
} finally {
  await browser.close();
}
