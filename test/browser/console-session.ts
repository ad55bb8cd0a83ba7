import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import schema from '../../schemas/patient-facts.schema.json' with { type: 'json' };
import { inputsFromFacts, type FieldInput } from '../../console/src/form-values.js';
import type { RuleCase } from '../../console/src/review-data.js';
import { factForm, fieldId, fieldsOf, groupsOf, type FactField, type SchemaNode } from '../../console/src/schema-fields.js';
import type { PatientFacts } from '../../functions/core/index.js';
import { knowledgeBase } from '../../functions/core/knowledge-base.js';
import { reviewData } from '../../scripts/build/console-data.js';
import { launchChromium } from './chromium.js';
import { answered } from './console-page.js';
import { startConsole, type RunningConsole } from './console-server.js';

/**
 * What the review console's browser files share: one Chromium and one console server per file
 * (started by `useConsole()` in its hooks), pages opened on it with their requests and errors
 * recorded, and the pairs of cases and fields the tests work on, chosen from the rules' own cases.
 */

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const PAGE_FILE = path.join(ROOT, 'dist/console/index.html');
export const SCREENSHOTS = path.join(ROOT, 'test-output/console');
const LAPTOP = { width: 1366, height: 900 };
export const TABLET_PORTRAIT = { width: 820, height: 1180 };

export const data = reviewData();
export const groups = groupsOf(factForm(schema as SchemaNode));
export const fields = fieldsOf(factForm(schema as SchemaNode));
export const rules = new Map(knowledgeBase.rules.map((rule) => [rule.name, rule]));

let browser: Browser;
let served: RunningConsole;
/** The file's browser contexts, one per set of options. */
const contexts = new Map<string, Promise<BrowserContext>>();

/**
 * Starts Chromium and the console before the file's tests, and stops them after: through `npm run
 * console` in one file (`viaNpm`), and what that runs, without npm, in the others.
 */
export function useConsole({ viaNpm = false } = {}): void {
  beforeAll(async () => {
    [browser, served] = await Promise.all([launchChromium(), startConsole({ viaNpm })]);
  });
  afterAll(async () => {
    served?.stop();
    contexts.clear();
    await browser?.close();
  });
}

/** The URL `npm run console` serves the page at. */
export const servedUrl = (): string => served.url;

/**
 * A new page at `url`, with the requests it makes and the errors it throws recorded. Pages opened
 * with the same options share a browser context, rather than the browser setting up a new profile
 * for each: the console keeps nothing in cookies or storage that one page could leave to the next.
 */
export async function open(url = served.url, options: { bypassCSP?: boolean; viewport?: typeof LAPTOP } = {}) {
  const settings = { viewport: options.viewport ?? LAPTOP, bypassCSP: options.bypassCSP ?? false };
  const key = JSON.stringify(settings);
  if (!contexts.has(key)) contexts.set(key, browser.newContext(settings));
  const page = await (await contexts.get(key)!).newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(url);
  await answered(page);
  return { page, requests, errors, close: () => page.close() };
}

/** The form inputs of each field that differ between two sets of facts. */
function differingFields(from: PatientFacts, to: PatientFacts): [FactField, FieldInput | undefined][] {
  const a = inputsFromFacts(fields, from).inputs;
  const b = inputsFromFacts(fields, to).inputs;
  return fields
    .filter((field) => JSON.stringify(a.get(field.path) ?? null) !== JSON.stringify(b.get(field.path) ?? null))
    .map((field) => [field, b.get(field.path)]);
}

export interface CasePair {
  ruleId: string;
  fires: RuleCase;
  silent: RuleCase;
  change: [FactField, FieldInput | undefined][];
}

/** Of the rules with a case that fires and a silent one, the pair fewest fields apart (and `accept`ed). */
export function nearestPair(accept: (pair: CasePair) => boolean = () => true): CasePair {
  const pairs = Object.entries(data.cases).flatMap(([ruleId, cases]) =>
    cases
      .filter((c) => c.expect === 'fires')
      .flatMap((fires) =>
        cases
          .filter((c) => c.expect === 'silent')
          .map((silent) => ({ ruleId, fires, silent, change: differingFields(fires.facts, silent.facts) })),
      ),
  );
  const accepted = pairs
    .filter((pair) => pair.change.length > 0 && accept(pair))
    .sort((a, b) => a.change.length - b.change.length);
  expect(accepted.length, 'no pair of cases to test with').toBeGreaterThan(0);
  return accepted[0]!;
}

/** Sets a field through the page, as a person does. */
export async function setField(page: Page, field: FactField, input: FieldInput | undefined): Promise<void> {
  const control = page.locator(`#${fieldId(field.path)}`);
  if (field.kind === 'list') {
    const none = page.locator(`#${fieldId(field.path)}-none`);
    if (input?.none) return none.check();
    if (await none.isChecked()) await none.uncheck();
  }
  if (field.kind === 'choice' || field.kind === 'yes-no') await control.selectOption(input?.text ?? '');
  else await control.fill(input?.text ?? '');
}

export function cardOf(page: Page, ruleId: string) {
  return page.locator(`article.card[data-rule-id="${ruleId}"]`);
}
