/**
 * The HTML report in a real browser: Debian's chromium driven by playwright-core, over the report of a real
 * local drill that lost writes (test/fixtures/report-lost-writes.json, recorded from `failover-drill local
 * --replication-lag-ms 500`), rendered by today's code. Nothing but the page itself may load.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../functions/core/report/drill-report.js';
import { renderReportHtml } from '../../functions/core/report/report-html.js';
import { PROJECT_ROOT } from '../../local/template.js';
import { CHROMIUM_ARGS, chromiumAvailable, chromiumPath } from '../support/browser.js';

const FIXTURE = join(PROJECT_ROOT, 'test/fixtures/report-lost-writes.json');
const OK = '#2da44e';
const FAIL = '#cf222e';
const LOST = '#6e0b1f';

// Without chromium (a developer's Mac) the test says so and is skipped; CI installs it (npm run setup).
describe.skipIf(!chromiumAvailable() && !process.env.CI)('the HTML report in Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  let url: string;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failover-drill-browser-'));
    const report = JSON.parse(await readFile(FIXTURE, 'utf8')) as DrillReport;
    const file = join(dir, 'report.html');
    await writeFile(file, await renderReportHtml(report));
    url = pathToFileURL(file).href;
    // A new, empty profile: nothing cached, nothing signed in, nothing from a previous run.
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
      offline: false,
    });
    context.on('request', (request) => requests.push(request.url()));
    context.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
  });

  afterAll(async () => {
    await context?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(width: number, height: number): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setViewportSize({ width, height });
    await page.goto(url, { waitUntil: 'load' });
    return page;
  }

  /** How far the page scrolls sideways (0: not at all). */
  const overflow = (page: Page) =>
    page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    ) as Promise<number>;

  it('shows the verdict and both charts with their series at 1280 px, loading nothing else', async () => {
    // Act
    const page = await open(1280, 900);

    // Assess
    await expect(page.locator('#verdict').textContent()).resolves.toBe('fail');
    expect(await page.locator('#verdict').isVisible()).toBe(true);
    const rate = page.locator('#chart-rate svg');
    const latency = page.locator('#chart-latency svg');
    expect(await rate.isVisible()).toBe(true);
    expect(await latency.isVisible()).toBe(true);
    // The series: acknowledged and failed writes per bucket; single writes, the lost ones among them.
    expect(await rate.locator(`.mark-rect path[fill="${OK}"]`).count()).toBeGreaterThan(20);
    expect(await rate.locator(`.mark-rect path[fill="${FAIL}"]`).count()).toBeGreaterThan(0);
    expect(await latency.locator(`.mark-symbol path[fill="${OK}"]`).count()).toBeGreaterThan(500);
    expect(await latency.locator(`.mark-symbol path[fill="${LOST}"]`).count()).toBeGreaterThan(50);
    // The markers, by their labels.
    for (const label of ['T0: TestFailover requested', 'new primary seen', 'downtime 44 ms'])
      expect(await rate.locator('text', { hasText: label }).count(), label).toBe(1);
    await expect(page.locator('[data-finding="asynchronous-replication"]').isVisible()).resolves.toBe(true);
    expect(await overflow(page)).toBe(0);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('stays readable at phone width: the page never scrolls sideways, a chart scrolls in its own box', async () => {
    // Act
    const page = await open(390, 844);

    // Assess
    expect(await page.locator('#verdict').isVisible()).toBe(true);
    expect(await overflow(page)).toBe(0);
    // The chart keeps a legible size (its text no smaller than ~8 px) and scrolls inside its figure.
    const chart = await page.locator('#chart-rate svg').boundingBox();
    const figure = await page.locator('#chart-rate .chart').boundingBox();
    expect(chart!.width).toBeGreaterThanOrEqual(640);
    expect(figure!.width).toBeLessThanOrEqual(390);
    expect(await page.locator('#findings').isVisible()).toBe(true);
    expect(errors).toEqual([]);
    expect(requests.every((request) => request === url)).toBe(true);
    await page.close();
  });
});
