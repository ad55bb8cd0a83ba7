import type { PatientFacts } from '../../functions/core/index.js';

/**
 * What the console build embeds beside the core (scripts/build/console.ts): every rule's cases from
 * rules/cases/ and the sample scenarios of events/, so the page reads no file at run time and works
 * from file:// as from any static host.
 */

/** One case of a rule, as rules/cases/<rule>.json states it (rules/rule-cases.schema.json). */
export interface RuleCase {
  name: string;
  expect: 'fires' | 'silent' | 'undecided';
  missing?: string[];
  facts: PatientFacts;
}

/** A sample `POST /evaluate` event of events/ whose body is PatientFacts the service accepts. */
export interface SampleScenario {
  /** The event's scenario name: `kit-d816v-positive` for events/evaluate.kit-d816v-positive.json. */
  name: string;
  /** The event file, relative to the repository. */
  file: string;
  facts: PatientFacts;
}

export interface ReviewData {
  /** By rule id; a rule without a case file has none. */
  cases: Record<string, RuleCase[]>;
  scenarios: SampleScenario[];
}

/** The name the console's entry module imports the embedded data by (an esbuild virtual module). */
export const REVIEW_DATA_MODULE = 'console:review-data';
