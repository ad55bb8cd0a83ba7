import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../functions/core/index.js';
import { EVENTS_DIR, reviewData, sampleScenarios } from '../../scripts/build/console-data.js';
import { ruleIds } from '../../scripts/knowledge-base/rule-files.js';

/** What the console build embeds beside the core. */

describe('the console data', () => {
  it('holds the cases of every rule', () => {
    expect(Object.keys(reviewData().cases).sort()).toEqual(ruleIds());
  });

  it('takes as scenarios the evaluate events whose bodies the service answers, and leaves out the others', async () => {
    const scenarios = sampleScenarios();
    const taken = new Set(scenarios.map((s) => s.file));
    const evaluateEvents = readdirSync(EVENTS_DIR).filter((f) => f.startsWith('evaluate.'));

    for (const scenario of scenarios) await expect(evaluate(scenario.facts)).resolves.toBeDefined();
    for (const file of evaluateEvents.filter((f) => !taken.has(`events/${f}`))) {
      const { body } = JSON.parse(readFileSync(path.join(EVENTS_DIR, file), 'utf8')) as { body: string | null };
      const answered = await Promise.resolve()
        .then(() => evaluate(JSON.parse(body ?? 'null') as never))
        .then(
          () => true,
          () => false,
        );
      expect(answered, file).toBe(false);
    }
    expect(scenarios.length).toBeGreaterThan(0);
  });
});
