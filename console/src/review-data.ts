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

/**
 * One way a critical or warning rule falls silent (a single fact changed from a firing case), and
 * the case of the rule that shows it (scripts/knowledge-base/silence.ts).
 */
export interface SilenceChange {
  /** Dotted fact path, or a section, that was changed. */
  fact: string;
  /** The change in words: "absent", `1000 (the firing case has 999)`, "an empty list", ... */
  change: string;
  outcome: 'silent' | 'undecided';
  /** The firing case the change was first found from. */
  from: string;
  /** The case of the rule that makes the same change, and whose name says why silence is right. */
  coveredBy?: string;
  /** A case that makes the change but whose name does not say why ("silent: ..."). */
  shownWithoutReasonBy?: string;
}

export interface ReviewData {
  /** By rule id; a rule without a case file has none. */
  cases: Record<string, RuleCase[]>;
  /** What keeps each critical and warning rule silent, by rule id. */
  silence: Record<string, SilenceChange[]>;
  scenarios: SampleScenario[];
}

/** The name the console's entry module imports the embedded data by (an esbuild virtual module). */
export const REVIEW_DATA_MODULE = 'console:review-data';
