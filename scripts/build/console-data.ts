import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ReviewData, SampleScenario } from '../../console/src/review-data.js';
import type { PatientFacts } from '../../functions/core/index.js';
import { wholeKnowledgeBase } from '../../functions/core/knowledge-base.js';
import { assertPatientFacts, InvalidPatientFactsError } from '../../functions/core/validate-facts.js';
import { readCaseFiles } from '../knowledge-base/check-cases.js';
import { RULES_DIR } from '../knowledge-base/rule-files.js';
import { silenceReportOf } from '../knowledge-base/silence.js';

/**
 * What the console embeds beside the core, read at build time: every rule's cases, and the sample
 * scenarios, which are the `POST /evaluate` events of events/ (`evaluate.<scenario>.json`) whose
 * body is PatientFacts the service accepts. The invalid samples (a misspelt field, a body that is
 * not JSON) show the HTTP layer, not the knowledge base, so they are left out.
 */

export const EVENTS_DIR = path.resolve(import.meta.dirname, '../../events');

/** The prefix of the events of the evaluate function, the one whose body is PatientFacts. */
const EVALUATE_EVENT = /^evaluate\.(.+)\.json$/;

function factsOf(body: unknown): PatientFacts | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    return assertPatientFacts(JSON.parse(body), wholeKnowledgeBase.valueSets);
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof InvalidPatientFactsError) return undefined;
    throw error;
  }
}

/** The sample scenarios of `eventsDir`, in file-name order. */
export function sampleScenarios(eventsDir: string = EVENTS_DIR): SampleScenario[] {
  return readdirSync(eventsDir)
    .sort()
    .flatMap((file): SampleScenario[] => {
      const name = EVALUATE_EVENT.exec(file)?.[1];
      if (name === undefined) return [];
      const event = JSON.parse(readFileSync(path.join(eventsDir, file), 'utf8')) as { body?: unknown };
      const facts = factsOf(event.body);
      return facts === undefined ? [] : [{ name, file: `events/${file}`, facts }];
    });
}

/** The cases, the silence lists and the scenarios the console embeds. */
export function reviewData(): ReviewData {
  return {
    cases: Object.fromEntries(
      [...readCaseFiles(RULES_DIR)].map(([ruleId, file]) => [ruleId, file.cases as ReviewData['cases'][string]]),
    ),
    silence: Object.fromEntries(silenceReportOf(RULES_DIR, wholeKnowledgeBase)),
    scenarios: sampleScenarios(),
  };
}
