import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, evaluateWithOutcomes } from '../../functions/core/index.js';
import { cardRuleIds, openCasesAndRead, openScenario } from './console-page.js';
import { data, open, SCREENSHOTS, useConsole } from './console-session.js';

/**
 * The review console in Chromium on everything the rules and the samples bring: every case of every
 * rule as the case expects and as the core answers it in Node, and each sample scenario, one after
 * another in one page. (The rest of the console is console.browser.test.ts; a file of its own so
 * that the two run side by side.)
 */

useConsole();

describe('the review console on every case and every sample', () => {
  it('comes out in the browser, on every case of every rule, as the case expects and as the core does in Node', async () => {
    const { page, errors, close } = await open();
    const mismatches: string[] = [];

    for (const [ruleId, cases] of Object.entries(data.cases)) {
      const answers = await openCasesAndRead(
        page,
        ruleId,
        cases.map((c) => c.name),
      );
      for (const [i, c] of cases.entries()) {
        const { verdict, cards: shown, missing } = answers[i]!;
        const { result } = await evaluateWithOutcomes(c.facts);
        if (!verdict.includes('as expected') || verdict.includes('not as expected'))
          mismatches.push(`${ruleId} "${c.name}": ${verdict}`);
        if (JSON.stringify(shown) !== JSON.stringify(result.findings.map((f) => f.ruleId)))
          mismatches.push(`${ruleId} "${c.name}": cards ${shown.join(', ')}`);
        if (JSON.stringify(missing) !== JSON.stringify(result.missingFacts.map((m) => m.fact)))
          mismatches.push(`${ruleId} "${c.name}": missing facts ${missing.join(', ')}`);
      }
    }

    expect(mismatches).toEqual([]);
    expect(errors).toEqual([]);
    await close();
  }, 300_000);

  describe('sample scenarios, one after another in one page, as a person goes through them', () => {
    let shared: Awaited<ReturnType<typeof open>>;
    beforeAll(async () => {
      shared = await open();
      mkdirSync(SCREENSHOTS, { recursive: true });
    });
    afterAll(() => shared?.close());

    it.each(data.scenarios.map((s) => [s.name, s] as const))(
      'shows the sample scenario %s as the core answers it, and saves a screenshot',
      async (name, scenario) => {
        const { page, errors } = shared;
        errors.length = 0;
        await openScenario(page, name);
        const file = path.join(SCREENSHOTS, `${name}.png`);

        await page.screenshot({ path: file });

        const { findings } = await evaluate(scenario.facts);
        await expect(cardRuleIds(page)).resolves.toEqual(findings.map((f) => f.ruleId));
        expect(statSync(file).size).toBeGreaterThan(10_000);
        expect(errors).toEqual([]);
      },
    );
  });
});
