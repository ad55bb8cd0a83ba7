import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inputsFromFacts } from '../../console/src/form-values.js';
import { fieldId } from '../../console/src/schema-fields.js';
import { evaluate, type PatientFacts } from '../../functions/core/index.js';
import { knowledgeBase } from '../../functions/core/knowledge-base.js';
import { answered, cardRuleIds, missingFacts, openCase, openScenario } from './console-page.js';
import {
  cardOf,
  data,
  fields,
  groups,
  nearestPair,
  open,
  PAGE_FILE,
  ROOT,
  rules,
  servedUrl,
  setField,
  TABLET_PORTRAIT,
  useConsole,
} from './console-session.js';

/**
 * The review console in Chromium, as a person uses it: served by `npm run console` and opened from
 * a file, cases opened from the catalogue, facts changed in labelled fields, cards and rationales
 * read off the page. Which rule, case or field each test works on is chosen from the rules' own
 * cases, never named here. Every case of every rule, and the sample scenarios one after another,
 * are console-cases.browser.test.ts, so that the two files run side by side.
 */

useConsole({ viaNpm: true });

describe('the review console', () => {
  it('shows the knowledge base: id, version, status, digest and review dates', async () => {
    const { page, close } = await open();

    const facts = await page
      .locator('.kb-facts')
      .evaluate((dl) =>
        Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling!.textContent])),
      );

    expect(facts).toMatchObject({
      Id: knowledgeBase.id,
      Version: knowledgeBase.version,
      Status: knowledgeBase.status,
      Digest: knowledgeBase.digest,
      Effective: knowledgeBase.effective,
      'Last reviewed': knowledgeBase.lastReviewed ?? 'never',
    });
    await expect(page.locator('#kb-content summary').first().textContent()).resolves.toContain('Changelog');
    await close();
  });

  it('opens a case from the catalogue, shows its card with the rationale, and takes the card away when a fact changes', async () => {
    const { ruleId, fires, change } = nearestPair();
    const { page, errors, close } = await open();

    await openCase(page, ruleId, fires.name);
    // The page scrolls to the facts and the answer, the section a case fills in.
    await page.waitForFunction(() => Math.abs(document.getElementById('try')!.getBoundingClientRect().top) <= 1);

    const card = cardOf(page, ruleId);
    await expect(card.locator('h4').textContent()).resolves.toBe(rules.get(ruleId)!.event.params.summary);
    await expect(page.locator('#loaded').textContent()).resolves.toContain('as expected');
    const finding = (await evaluate(fires.facts)).findings.find((f) => f.ruleId === ruleId)!;
    const rationale = card.locator('details.rationale');
    await expect(rationale.getAttribute('open')).resolves.not.toBeNull();
    await expect(rationale.locator('.condition > .truth').first().textContent()).resolves.toBe('✓ true');
    for (const fact of Object.keys(finding.rationale.facts).filter((f) => fields.some((field) => field.path === f)))
      await expect(rationale.locator(`.facts-read a[href="#${fieldId(fact)}"]`).count()).resolves.toBeGreaterThan(0);

    for (const [field, input] of change) await setField(page, field, input);
    await answered(page);

    await expect(cardOf(page, ruleId).count()).resolves.toBe(0);
    await expect(page.locator(`#rule-${ruleId} .outcome`).textContent()).resolves.not.toContain('fired');
    await expect(page.locator('#loaded').textContent()).resolves.toContain('You have changed facts');
    expect(errors).toEqual([]);
    await close();
  });

  it('shows what keeps each safety rule silent, and opens the case that shows a change in the form', async () => {
    const [ruleId, changes] = Object.entries(data.silence).find(([, list]) => list.some((c) => c.coveredBy))!;
    const change = changes.find((c) => c.coveredBy)!;
    const { page, errors, close } = await open();

    const silence = page.locator(`#rule-${ruleId} details.rule-silence`);
    await silence.locator('summary').click();

    await expect(silence.locator('summary').textContent()).resolves.toBe(`What keeps it silent (${changes.length})`);
    await expect(silence.locator('li').count()).resolves.toBe(changes.length);
    await silence
      .getByRole('button', { name: `Open in form: case “${change.coveredBy!}” of ${ruleId}`, exact: true })
      .first()
      .click();
    await answered(page);
    await expect(page.locator('#loaded').textContent()).resolves.toContain(change.coveredBy!);
    await expect(cardOf(page, ruleId).count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('answers as you type, before the field loses focus', async () => {
    const { ruleId, silent, fires, change } = nearestPair(
      (pair) => pair.change.length === 1 && pair.change[0]![0].kind === 'number',
    );
    const [field] = change[0]!;
    const target = inputsFromFacts(fields, fires.facts).inputs.get(field.path)!.text;
    const { page, close } = await open();
    await openCase(page, ruleId, silent.name);
    await expect(cardOf(page, ruleId).count()).resolves.toBe(0);

    const control = page.locator(`#${fieldId(field.path)}`);
    await control.fill('');
    await control.pressSequentially(target);
    await answered(page);

    await expect(control.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
    await expect(cardOf(page, ruleId).count()).resolves.toBe(1);
    // The live region catches up once typing pauses, with the words the page shows.
    const summary = await page.locator('#answer-summary').textContent();
    await page.waitForFunction((text) => document.getElementById('answer-status')?.textContent === text, summary);
    await expect(page.locator('[role="status"]#answer-status').textContent()).resolves.toBe(summary);
    await close();
  });

  it('sends a group ticked "given, though nothing in it is known" as an empty section, as the core answers one', async () => {
    // The first group whose empty section the core answers otherwise than its absence (found, not named here).
    const answerTo = async (facts: PatientFacts) => {
      try {
        const { findings, missingFacts } = await evaluate(facts);
        return { cards: findings.map((f) => f.ruleId), missing: missingFacts.map((m) => m.fact) };
      } catch {
        return undefined; // a section the contract refuses empty (an order needs its drug)
      }
    };
    const none = (await answerTo({}))!;
    const sectionFacts = (dotted: string) => dotted.split('.').reduceRight<object>((inner, key) => ({ [key]: inner }), {});
    let found: { group: string; answer: NonNullable<Awaited<ReturnType<typeof answerTo>>> } | undefined;
    for (const group of groups) {
      const answer = await answerTo(sectionFacts(group.path) as PatientFacts);
      if (answer && JSON.stringify(answer) !== JSON.stringify(none)) found = found ?? { group: group.path, answer };
    }
    expect(found, 'no empty section changes the answer').toBeDefined();
    const { page, close } = await open();
    const box = page.locator(`#${fieldId(found!.group)}-given`);

    await box.check();
    await answered(page);

    await expect(cardRuleIds(page)).resolves.toEqual(found!.answer.cards);
    await expect(missingFacts(page)).resolves.toEqual(found!.answer.missing);
    await box.uncheck();
    await answered(page);
    await expect(missingFacts(page)).resolves.toEqual(none.missing);
    await close();
  });

  it('shows a value the contract refuses at its field, and no answer until it is fixed', async () => {
    const field = fields.find((f) => f.kind === 'number' && f.max !== undefined)!;
    const { page, close } = await open();
    const control = page.locator(`#${fieldId(field.path)}`);

    await control.fill(String(field.max! + 1));
    await answered(page);

    await expect(control.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator(`#${fieldId(field.path)}-problem`).isVisible()).resolves.toBe(true);
    await expect(page.locator('#answer .problems h4').textContent()).resolves.toContain('No answer');
    await expect(page.locator('article.card').count()).resolves.toBe(0);
    await page.locator(`#answer .problems a[href="#${fieldId(field.path)}"]`).click();
    await expect(control.evaluate((element) => element === document.activeElement)).resolves.toBe(true);

    await control.fill(String(field.max!));
    await answered(page);

    await expect(control.getAttribute('aria-invalid')).resolves.toBeNull();
    await expect(page.locator('article.card').count()).resolves.toBeGreaterThan(0);
    await close();
  });

  it('links each missing fact to its field in the form', async () => {
    const { page, close } = await open();
    const scenario = await (async () => {
      for (const s of data.scenarios) if ((await evaluate(s.facts)).missingFacts.length > 0) return s;
      throw new Error('no sample scenario leaves a fact missing');
    })();
    await openScenario(page, scenario.name);
    const [fact] = await missingFacts(page);

    await page.locator(`.missing-facts li[data-fact="${fact}"] a.fact-link`).click();

    const focused = await page.evaluate(() => document.activeElement?.id);
    expect([fieldId(fact!), `${fieldId(fact!)}-none`]).toContain(focused);
    await close();
  });

  it('renders Markdown sanitised: a medication name with HTML in it runs nothing', async () => {
    const member = Object.values(knowledgeBase.valueSets ?? {})[0]!.members[0]!.name;
    const hostile = `${member} <img src=x onerror="window.__consoleAttack=1"><script>window.__consoleAttack=2</script>`;
    const facts = { medications: { active: [hostile] }, order: { drug: 'imatinib' } } as PatientFacts;
    // The core quotes a matched name by its words alone; the page must show that card and run nothing.
    const echoed = (await evaluate(facts)).findings.find((f) => f.rationale.text.includes(`img src x onerror`));
    expect(echoed, 'no finding quotes the medication name back').toBeDefined();
    const { page, close } = await open();
    const medications = fields.find((f) => f.kind === 'list' && f.path === 'medications.active')!;
    const drug = fields.find((f) => f.required)!;

    await setField(page, drug, { text: 'imatinib' });
    await setField(page, medications, { text: hostile });
    await answered(page);

    const card = cardOf(page, echoed!.ruleId);
    await expect(card.count()).resolves.toBe(1);
    await expect(card.locator('img, script, [onerror]').count()).resolves.toBe(0);
    await expect(page.evaluate(() => (window as { __consoleAttack?: number }).__consoleAttack)).resolves.toBeUndefined();
    await close();
  });

  it('lets a keyboard user skip to the form and see where the focus is on every control', async () => {
    const { page, close } = await open();

    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.className)).resolves.toBe('skip-link');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('try');

    const visited: { id: string; outline: string; position: number }[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      visited.push(
        await page.evaluate(() => {
          const active = document.activeElement as HTMLElement;
          const all = [...document.querySelectorAll('*')];
          return {
            id: active.id || active.textContent!.slice(0, 40),
            outline: getComputedStyle(active).outlineStyle,
            position: all.indexOf(active),
          };
        }),
      );
    }

    for (const step of visited) expect(step.outline, step.id).not.toBe('none');
    const positions = visited.map((step) => step.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    await close();
  });

  it('labels every field once, and keeps its headings in order', async () => {
    const { page, close } = await open();

    const labels = await page.locator('#facts-form').evaluate((form) =>
      [...form.querySelectorAll('input, select, textarea')].map((control) => {
        const labels = (control as HTMLInputElement).labels!;
        return { id: control.id, count: labels.length, text: labels[0]?.textContent?.trim() ?? '' };
      }),
    );
    const levels = await page.evaluate(() =>
      [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1])),
    );

    for (const label of labels) expect(label.count === 1 && label.text !== '', label.id).toBe(true);
    expect(new Set(labels.map((l) => l.text)).size).toBe(labels.length);
    expect(levels[0]).toBe(1);
    levels.forEach((level, i) => expect(level - (levels[i - 1] ?? 0), `heading ${i}`).toBeLessThanOrEqual(1));
    await close();
  });

  it('passes axe-core’s WCAG 2.1 A and AA checks with a case loaded and every section unfolded', async () => {
    // axe is injected as an inline script, which the page's own policy rightly refuses.
    const { page, close } = await open(servedUrl(), { bypassCSP: true });
    const { ruleId, fires } = nearestPair();
    await openCase(page, ruleId, fires.name);
    // Unfolded, so that axe checks what the catalogue and the cards hide until asked, too.
    await page.evaluate(() => document.querySelectorAll('details').forEach((details) => (details.open = true)));
    await page.addScriptTag({ content: readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8') });

    const violations = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: { run(context: Document, options: object): Promise<{ violations: { id: string; nodes: unknown[] }[] }> };
        }
      ).axe;
      const result = await axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        // Every check runs; only the violations are collected in full (axe's own advice for speed).
        resultTypes: ['violations'],
      });
      return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
    });

    expect(violations).toEqual([]);
    await close();
  });

  it('reads on a tablet held upright without scrolling sideways', async () => {
    const { page, close } = await open(servedUrl(), { viewport: TABLET_PORTRAIT });
    const { ruleId, fires } = nearestPair();
    await openCase(page, ruleId, fires.name);

    const [scrollWidth, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);

    expect(scrollWidth).toBeLessThanOrEqual(width);
    await close();
  });

  it('works opened from a file, reading nothing but its own three files', async () => {
    const { page, requests, errors, close } = await open(pathToFileURL(PAGE_FILE).href);
    await openScenario(page, data.scenarios[0]!.name);

    const own = ['index.html', 'console.js', 'console.css'].map(
      (file) => pathToFileURL(path.join(ROOT, 'dist/console', file)).href,
    );
    expect([...new Set(requests)].sort()).toEqual(own.sort());
    await expect(page.locator('article.card').count()).resolves.toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('sends nothing anywhere when served: its only requests are for its own files', async () => {
    const { page, requests, close } = await open();
    await openScenario(page, data.scenarios[0]!.name);

    for (const url of requests) expect(url.startsWith(servedUrl()), url).toBe(true);
    await close();
  });
});
