import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedbackReport, RuleFeedback } from '../../functions/adapters/state/feedback-report.js';
import { knowledgeBase } from '../../functions/core/knowledge-base.js';
import { launchChromium } from './chromium.js';
import { answered } from './console-page.js';

/**
 * A CDS committee's report in the review console, in Chromium: the page opened from its file, a
 * report JSON (as `npm run feedback-report -- --json` writes it) opened through the file control,
 * the rates read off each rule's entry and the catalogue sorted by override rate. The rules the
 * report is about are taken from the knowledge base, never named here.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const PAGE = pathToFileURL(path.join(ROOT, 'dist/console/index.html')).href;
const SCREENSHOTS = path.join(ROOT, 'test-output/console');

let browser: Browser;
/** One context for the file's pages: the console keeps nothing in cookies or storage. */
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
});

afterAll(() => browser?.close());

const [highest, lowest, middle] = knowledgeBase.rules.slice(-3).map((rule) => rule.name) as [string, string, string];

function row(ruleId: string, shown: number, overridden: number, overrideReasons: Record<string, number>): RuleFeedback {
  return {
    ruleId,
    knowledgeBaseVersion: knowledgeBase.version,
    indicator: 'warning',
    shown,
    accepted: 1,
    overridden,
    noResponse: shown - overridden - 1,
    overrideRate: overridden / shown,
    overrideRateDenominator: shown,
    overrideReasons,
    acceptedSuggestions: 0,
  };
}

const REPORT: FeedbackReport = {
  since: '2026-01-01',
  until: '2026-12-31',
  kept: true,
  rules: [
    row(highest, 40, 36, { 'benefit-outweighs-risk': 30, 'already-addressed': 4, none: 2 }),
    row(lowest, 8, 2, { 'data-not-current': 2 }),
    row(middle, 20, 10, { 'patient-declined': 6, 'already-addressed': 3, other: 1 }),
  ],
  missingFactsCard: [],
};

/** The console opened from its file in a new page, its requests recorded. */
async function openPage() {
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(PAGE);
  await answered(page);
  return { page, requests, errors, close: () => page.close() };
}

async function openReport(page: Page, name: string, contents: string): Promise<void> {
  await page
    .getByLabel('Open a feedback report')
    .setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(contents) });
  await page.locator('#feedback-status').filter({ hasText: name }).waitFor();
}

const feedbackOf = (page: Page, ruleId: string) => page.locator(`#rule-${ruleId} .feedback`).innerText();
const ruleOrder = (page: Page) =>
  page
    .locator('section.category:not([hidden]) article.rule')
    .evaluateAll((rules) => rules.map((rule) => rule.id.replace(/^rule-/, '')));

describe('a feedback report in the review console', () => {
  it('shows beside each rule the cards shown and the override rate with its denominator and top reasons', async () => {
    const { page, requests, errors, close } = await openPage();

    await openReport(page, 'feedback-2026.json', JSON.stringify(REPORT));

    expect(await feedbackOf(page, highest)).toBe(
      'Feedback 2026-01-01 to 2026-12-31: 40 cards shown, override rate 90.0% (36 of 40); top reasons: benefit-outweighs-risk 30, already-addressed 4, none 2.',
    );
    expect(await feedbackOf(page, middle)).toContain(
      '20 cards shown, override rate 50.0% (10 of 20); top reasons: patient-declined 6',
    );
    expect(await feedbackOf(page, knowledgeBase.rules[0]!.name)).toBe('Feedback 2026-01-01 to 2026-12-31: no card shown.');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.locator(`#rule-${highest}`).screenshot({ path: path.join(SCREENSHOTS, 'feedback-rates.png') });
    expect(new Set(requests)).toEqual(
      new Set(
        ['index.html', 'console.js', 'console.css'].map((file) => pathToFileURL(path.join(ROOT, 'dist/console', file)).href),
      ),
    );
    expect(errors).toEqual([]);
    await close();
  });

  it('sorts the catalogue by override rate on request, rules without cards last, and back by category', async () => {
    const { page, close } = await openPage();
    const byCategory = await ruleOrder(page);
    const sort = page.getByRole('button', { name: 'Sort by override rate' });
    await expect(sort.isDisabled()).resolves.toBe(true);
    await openReport(page, 'feedback-2026.json', JSON.stringify(REPORT));

    await sort.click();
    const sorted = await ruleOrder(page);
    await sort.click();

    expect(sorted.slice(0, 3)).toEqual([highest, middle, lowest]);
    expect(new Set(sorted)).toEqual(new Set(byCategory));
    expect(await sort.getAttribute('aria-pressed')).toBe('false');
    expect(await ruleOrder(page)).toEqual(byCategory);
    await close();
  });

  it('says what is wrong with a file that is not a report, and shows nothing of it', async () => {
    const { page, close } = await openPage();

    await openReport(page, 'notes.json', JSON.stringify({ rules: [{ ruleId: highest, shown: 'many' }], since: 'a', until: 'b' }));

    expect(await page.locator('#feedback-status').innerText()).toBe('notes.json: Entry 1 of "rules" is not a rule\'s feedback.');
    expect(await page.locator(`#rule-${highest} .feedback`).isHidden()).toBe(true);
    await close();
  });
});
