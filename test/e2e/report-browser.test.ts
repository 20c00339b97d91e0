/**
 * The HTML report in a real browser: Debian's chromium driven by playwright-core, over the report of a real
 * local drill that lost writes (test/support/fixtures/report-lost-writes.json, recorded from `failover-drill local
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

const FIXTURE = join(PROJECT_ROOT, 'test/support/fixtures/report-lost-writes.json');
const OK = '#2da44e';
const FAIL = '#cf222e';
const LOST = '#6e0b1f';

// Without chromium (a developer's Mac) the test says so and is skipped; CI installs it (npm run setup).
describe.skipIf(!chromiumAvailable() && !process.env.CI)('the HTML report in Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  let url: string;
  let lanesUrl: string;
  let changeUrl: string;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failover-drill-browser-'));
    const report = JSON.parse(await readFile(FIXTURE, 'utf8')) as DrillReport;
    const file = join(dir, 'report.html');
    await writeFile(file, await renderReportHtml(report));
    url = pathToFileURL(file).href;
    // The same drill with a fail-fast client profile and a shard writer beside the probe: their lanes.
    const lane = {
      ...report.timeline!,
      fail: report.timeline!.ok.map((_, i) => (report.timeline!.fail[i] ? 7 : 0)),
    };
    const sum = (values: number[]) => values.reduce((a, v) => a + v, 0);
    const writes = {
      attempted: sum(lane.ok) + sum(lane.fail),
      acknowledged: sum(lane.ok),
      failed: sum(lane.fail),
      indeterminate: 0,
      lost: 0,
      duplicated: 0,
      recovered: 0,
      indeterminateAbsent: 0,
      failedButPresent: 0,
      pendingAtStop: 0,
      skipped: 0,
    };
    const downtime = { ms: report.downtime.ms, startMs: 0, endMs: report.downtime.ms, complete: true };
    const client = {
      name: 'fail-fast',
      library: 'ioredis',
      version: '6.0.0',
      writes,
      errors: {},
      downtime,
      timeToFirstSuccessMs: report.downtime.ms,
      latency: { count: writes.acknowledged, p50: 0.2, p99: 1.1, max: 4.2 },
      reference: 'T0',
      verified: true,
      lostRanges: [],
      duplicatedRanges: [],
      timeline: lane,
    };
    const shard = {
      nodeGroupId: '0001',
      target: true,
      writes,
      downtime,
      errors: {},
      verified: true,
      timeline: lane,
    };
    const laned = { ...report, clients: [client], shards: [shard], collateral: [] } as unknown as DrillReport;
    const lanesFile = join(dir, 'report-lanes.html');
    await writeFile(lanesFile, await renderReportHtml(laned));
    lanesUrl = pathToFileURL(lanesFile).href;
    // The same drill as a reshard: its request, one progress reading and its end on the probe's axis.
    const requestedMs = report.timeline!.startMs + 1000;
    const changeTimeline = {
      source: 'reshard',
      requestedMs,
      progress: [{ atMs: requestedMs + 1000, percent: 40 }],
      finishedMs: requestedMs + 2000,
    };
    const changeFile = join(dir, 'report-change.html');
    await writeFile(changeFile, await renderReportHtml({ ...report, changeTimeline } as DrillReport));
    changeUrl = pathToFileURL(changeFile).href;
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

  async function open(width: number, height: number, at = url): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setViewportSize({ width, height });
    await page.goto(at, { waitUntil: 'load' });
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

  it('draws a lane per client profile and per shard in both charts, each with its series and the downtime', async () => {
    // Act
    const page = await open(1280, 900, lanesUrl);

    // Assess
    for (const chart of ['#chart-rate svg', '#chart-latency svg']) {
      const svg = page.locator(chart);
      expect(await svg.isVisible()).toBe(true);
      for (const lane of ['probe', 'client fail-fast', 'shard 0001 (failed over)'])
        expect(await svg.locator('text', { hasText: lane }).count(), `${chart} ${lane}`).toBeGreaterThan(0);
      // The shaded downtime and its label in every lane.
      expect(await svg.locator('text', { hasText: 'downtime 44 ms' }).count(), chart).toBe(3);
    }
    // The failed writes of the probe and of both lanes (7 per failing bucket) are drawn.
    const rate = page.locator('#chart-rate svg');
    expect(await rate.locator(`.mark-rect path[fill="${FAIL}"]`).count()).toBeGreaterThanOrEqual(3);
    expect(errors).toEqual([]);
    expect(requests.every((request) => request === url || request === lanesUrl)).toBe(true);
    await page.close();
  });

  it("marks a planned change's request, progress and end on the probe's lane", async () => {
    // Act
    const page = await open(1280, 900, changeUrl);

    // Assess
    const rate = page.locator('#chart-rate svg');
    for (const label of ['T0: reshard requested', '40 %', 'reshard applied'])
      expect(await rate.locator('text', { hasText: label }).count(), label).toBe(1);
    expect(await rate.locator('text', { hasText: 'TestFailover' }).count()).toBe(0);
    expect(errors).toEqual([]);
    expect(requests.every((request) => [url, lanesUrl, changeUrl].includes(request))).toBe(true);
    await page.close();
  });
});
