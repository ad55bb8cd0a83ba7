import type { Page } from 'playwright-core';

/**
 * How the tests work the console page, as a person does: through the catalogue's buttons, the
 * labelled fields and the links of the answer.
 */

/** Waits until the answer on the page is the answer to the facts in the form. */
export async function answered(page: Page): Promise<void> {
  await page.locator('#answer-column[aria-busy="false"]').waitFor();
}

/** The accessible name of the catalogue's button that opens a case. */
const openCaseLabel = (ruleId: string, caseName: string) => `Open in form: case “${caseName}” of ${ruleId}`;

/** Opens the case `caseName` of `ruleId` from the catalogue, as a person does: unfold, then click. */
export async function openCase(page: Page, ruleId: string, caseName: string): Promise<void> {
  const rule = page.locator(`#rule-${ruleId}`);
  const cases = rule.locator('details.rule-cases');
  if (!(await cases.evaluate((details) => (details as HTMLDetailsElement).open))) await cases.locator('summary').click();
  await rule.getByRole('button', { name: openCaseLabel(ruleId, caseName), exact: true }).click();
  await answered(page);
}

/** Loads a sample scenario with its button. */
export async function openScenario(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name, exact: true }).click();
  await answered(page);
}

/** Where the page shows its answer: the cards (the card of missing facts has no rule id), the missing facts, the verdict on a case. */
const ANSWER = {
  cards: 'article.card[data-rule-id]',
  missing: '.missing-facts li[data-fact]',
  verdict: '#loaded .verdict',
} as const;

/** The rule ids of the cards on the page, in their order. */
export function cardRuleIds(page: Page): Promise<string[]> {
  return page.locator(ANSWER.cards).evaluateAll((cards) => cards.map((card) => card.getAttribute('data-rule-id')!));
}

/** The facts listed as missing under the cards. */
export function missingFacts(page: Page): Promise<string[]> {
  return page.locator(ANSWER.missing).evaluateAll((items) => items.map((item) => item.getAttribute('data-fact')!));
}

/** What the page answers to a case: its verdict, its cards' rule ids and its missing facts. */
export interface CaseAnswer {
  verdict: string;
  cards: string[];
  missing: string[];
}

/**
 * Opens each case of `ruleId` named in `caseNames` with its own button in the catalogue (unfolded
 * first, as a person would), waits for each answer and reads it: all in one round trip to the page,
 * since a check of every case of every rule opens hundreds, and each step through Playwright's
 * actionability checks costs frames. Tests of how a person works the page use openCase.
 */
export function openCasesAndRead(page: Page, ruleId: string, caseNames: readonly string[]): Promise<CaseAnswer[]> {
  return page.evaluate(
    async ({ ruleId, labels, answer }) => {
      const rule = document.getElementById(`rule-${ruleId}`)!;
      const column = document.getElementById('answer-column')!;
      const all = (selector: string, attribute: string) =>
        [...document.querySelectorAll(selector)].map((element) => element.getAttribute(attribute)!);
      rule.querySelector<HTMLDetailsElement>('details.rule-cases')!.open = true;
      const answers: CaseAnswer[] = [];
      for (const label of labels) {
        const button = [...rule.querySelectorAll<HTMLButtonElement>('button.open-case')].find(
          (b) => b.getAttribute('aria-label') === label,
        );
        if (button === undefined) throw new Error(`no button "${label}"`);
        button.click();
        // Woken by the attribute's change itself: polling on a timer lets a frame be laid out and
        // painted between cases, which checks nothing here.
        if (column.getAttribute('aria-busy') !== 'false')
          await new Promise<void>((resolve) => {
            const watch = new MutationObserver(() => {
              if (column.getAttribute('aria-busy') !== 'false') return;
              watch.disconnect();
              resolve();
            });
            watch.observe(column, { attributes: true, attributeFilter: ['aria-busy'] });
          });
        answers.push({
          verdict: document.querySelector(answer.verdict)?.textContent ?? '',
          cards: all(answer.cards, 'data-rule-id'),
          missing: all(answer.missing, 'data-fact'),
        });
      }
      return answers;
    },
    { ruleId, labels: caseNames.map((name) => openCaseLabel(ruleId, name)), answer: ANSWER },
  );
}
