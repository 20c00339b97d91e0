// node bin/run-ts.js scripts/render-report.ts REPORT.json OUT.html [OUT.png]  (npm run report:render -- …)
// Renders a stored report's HTML again (after a change to the page), and a screenshot of it through
// Debian's chromium (the README's docs/report.png is made this way from test/support/fixtures/report-lost-writes.json).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderReportHtml } from '../functions/core/report/report-html.js';
import { CHROMIUM_ARGS, chromiumPath } from '../test/support/browser.js';

const [json, out, png] = process.argv.slice(2);
if (!json || !out) {
  process.stderr.write('usage: render-report.ts REPORT.json OUT.html [OUT.png]\n');
  process.exit(2);
}
writeFileSync(out, await renderReportHtml(JSON.parse(readFileSync(json, 'utf8'))));
if (png) {
  const profile = mkdtempSync(join(tmpdir(), 'failover-drill-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(resolve(out)).href);
    // The part people look at first: the verdict, what it means, and the charts.
    const charts = await page.locator('#charts').boundingBox();
    await page.screenshot({
      path: png,
      fullPage: true,
      clip: { x: 0, y: 0, width: 1280, height: Math.ceil((charts?.y ?? 0) + (charts?.height ?? 900)) },
    });
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
