import type { Page } from 'playwright-core';

/**
 * How the tests work the console page, as a person does: through the catalogue's buttons, the
 * labelled fields and the links of the answer.
 */

/** Waits until the answer on the page is the answer to the facts in the form. */
export async function answered(page: Page): Promise<void> {
  await page.locator('#answer-column[aria-busy="false"]').waitFor();
}

/** Opens the case `caseName` of `ruleId` from the catalogue, as a person does: unfold, then click. */
export async function openCase(page: Page, ruleId: string, caseName: string): Promise<void> {
  const rule = page.locator(`#rule-${ruleId}`);
  const cases = rule.locator('details.rule-cases');
  if (!(await cases.evaluate((details) => (details as HTMLDetailsElement).open))) await cases.locator('summary').click();
  await rule.getByRole('button', { name: `Open in form: case “${caseName}” of ${ruleId}`, exact: true }).click();
  await answered(page);
}

/** Loads a sample scenario with its button. */
export async function openScenario(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name, exact: true }).click();
  await answered(page);
}

/** The rule ids of the cards on the page, in their order (the card of missing facts has none). */
export function cardRuleIds(page: Page): Promise<string[]> {
  return page
    .locator('article.card[data-rule-id]')
    .evaluateAll((cards) => cards.map((card) => card.getAttribute('data-rule-id')!));
}

/** The facts listed as missing under the cards. */
export function missingFacts(page: Page): Promise<string[]> {
  return page
    .locator('.missing-facts li[data-fact]')
    .evaluateAll((items) => items.map((item) => item.getAttribute('data-fact')!));
}
