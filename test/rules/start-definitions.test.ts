import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PatientFacts } from '../../functions/core/index.js';
import { CONDITIONS_FILE, ruleFileNames, RULES_DIR } from '../../scripts/knowledge-base/rule-files.js';
import { loadReference } from '../reference/interpreter.js';
import { copyOfRules, evaluatorFor, removeRuleCopies } from '../support/rule-folders.js';

/**
 * The shared conditions of rules/conditions.json for starting, restarting and continuing, proved
 * against the words of the knowledge-base spec (v3, "Starting, restarting, continuing") on every
 * combination of the four facts they read: startsTherapy x status x monthsOnImatinib x
 * imatinibBefore. Each condition is put in a probe rule of its own (fires when it is true, is
 * silent when false, undecided when unknown) beside the fixture knowledge base, and run through
 * evaluate() and through the reference interpreter, which reads conditions.json itself.
 */

type Truth = true | false | '?';
type StartsTherapy = true | false | '-';
type Status = 'proposed' | 'active' | '-';
type Months = '-' | 0 | 4;
type Before = true | false | '-';

/** A wildcard row stands for every value of its column ('0/-' for months: absent or 0). */
type Row = [
  StartsTherapy | '*',
  Status | '*',
  Months | '0/-' | '*',
  Before | '*',
  Truth,
  Truth,
  Truth,
  Truth,
  Truth,
  Truth,
  Truth,
];

const COLUMNS = [
  'starts therapy',
  'continues therapy',
  'restart',
  'known first start',
  'not known to be a first start',
  'start not known to be a restart',
  'may be a first start, not known to be one',
] as const;

/* prettier-ignore */
const TABLE: Row[] = [
  // startsTherapy status     months  before | starts cont.  restart first  !first  start&!restart  may be first
  // startsTherapy true: a start whatever the status says; a course beside it makes it a restart.
  [true,  '*',        '0/-',  true,     true,  false, true,   false, true,  false, false],
  [true,  '*',        '0/-',  false,    true,  false, false,  true,  false, true,  false],
  [true,  '*',        '0/-',  '-',      true,  false, '?',    '?',   true,  true,  true ],
  [true,  '*',        4,      '*',      true,  false, true,   false, true,  false, false],
  // startsTherapy false: continuing, whatever else is given.
  [false, '*',        '*',    '*',      false, true,  false,  false, true,  false, false],
  // startsTherapy absent: a proposed order starts therapy unless a course says the patient is on imatinib.
  ['-',   'proposed', '0/-',  true,     true,  false, true,   false, true,  false, false],
  ['-',   'proposed', '0/-',  false,    true,  false, false,  true,  false, true,  false],
  ['-',   'proposed', '0/-',  '-',      true,  false, '?',    '?',   true,  true,  true ],
  ['-',   'proposed', 4,      '*',      false, true,  false,  false, true,  false, false],
  // an active order with no word on starting is running therapy
  ['-',   'active',   '*',    '*',      false, true,  false,  false, true,  false, false],
  // startsTherapy and status both absent: the course decides, or nothing does
  ['-',   '-',        4,      '*',      false, true,  false,  false, true,  false, false],
  ['-',   '-',        '0/-',  true,     '?',   '?',   '?',    false, true,  false, false],
  ['-',   '-',        '0/-',  false,    '?',   '?',   false,  '?',   true,  '?',   true ],
  ['-',   '-',        '0/-',  '-',      '?',   '?',   '?',    '?',   true,  '?',   true ],
];

const STARTS: StartsTherapy[] = [true, false, '-'];
const STATUSES: Status[] = ['proposed', 'active', '-'];
const MONTHS: Months[] = ['-', 0, 4];
const BEFORE: Before[] = [true, false, '-'];

const matches = (pattern: unknown, value: unknown) =>
  pattern === '*' || pattern === value || (pattern === '0/-' && (value === 0 || value === '-'));

function factsOf(startsTherapy: StartsTherapy, status: Status, months: Months, before: Before): PatientFacts {
  return {
    order: {
      drug: 'imatinib',
      dailyDoseMg: 400,
      ...(startsTherapy === '-' ? {} : { startsTherapy }),
      ...(status === '-' ? {} : { status }),
    },
    ...(months === '-' ? {} : { treatmentCourse: { monthsOnImatinib: months } }),
    ...(before === '-' ? {} : { medications: { imatinibBefore: before } }),
  };
}

const probeId = (condition: string) => `probe-${condition.replace(/[^a-z]+/g, '-')}`;

/** Probe rules, one per shared condition under test, beside the fixture knowledge base and the real conditions.json. */
function probeRules(): string {
  const dir = copyOfRules();
  for (const file of ruleFileNames(dir)) rmSync(path.join(dir, file));
  rmSync(path.join(dir, 'cases'), { recursive: true });
  copyFileSync(path.join(RULES_DIR, CONDITIONS_FILE), path.join(dir, CONDITIONS_FILE));
  mkdirSync(path.join(dir, 'cases'), { recursive: true });
  const conditions = [...COLUMNS, 'not known to start therapy', 'not known to continue therapy'];
  for (const condition of conditions) {
    const id = probeId(condition);
    const rule = {
      name: id,
      priority: 1,
      conditions: {
        all: [
          {
            name: 'applies when',
            all: [{ name: 'An order is present', fact: 'order', path: '$.drug', operator: 'known', value: true }],
          },
          { name: 'fires when', all: [{ condition }] },
        ],
      },
      event: {
        type: id,
        params: {
          category: 'order-check',
          indicator: 'info',
          summary: `Probe of the shared condition "${condition}".`,
          detail: 'A probe rule of the truth-table test.',
          evidence: [
            {
              source: 'DEMO',
              citation: 'Fixture source for the tests of the rule machinery',
              pmid: null,
              url: 'https://example.org/fixture',
              statement: 'Probe.',
            },
          ],
        },
      },
    };
    const cases = {
      rule: id,
      cases: [
        { name: 'a start', expect: 'fires', facts: factsOf(true, 'proposed', '-', false) },
        { name: 'a renewal', expect: 'silent', facts: factsOf(false, 'active', 4, true) },
      ],
    };
    writeFileSync(path.join(dir, `${id}.json`), JSON.stringify(rule));
    writeFileSync(path.join(dir, 'cases', `${id}.json`), JSON.stringify(cases));
  }
  return dir;
}

const combinations = STARTS.flatMap((s) =>
  STATUSES.flatMap((st) => MONTHS.flatMap((m) => BEFORE.map((b) => [s, st, m, b] as const))),
);

const truthOf = (outcome: string | undefined): Truth => (outcome === 'fired' ? true : outcome === 'undecided' ? '?' : false);
const describeCombination = ([s, st, m, b]: readonly unknown[]) =>
  `startsTherapy ${String(s)}, status ${String(st)}, months ${String(m)}, imatinibBefore ${String(b)}`;

afterAll(removeRuleCopies);

describe('starting, restarting and continuing (shared conditions)', () => {
  const dir = probeRules();
  const evaluator = evaluatorFor(dir);
  const reference = loadReference(dir);

  it('has exactly one row of the table for each of the 81 combinations', () => {
    for (const combination of combinations) {
      const rows = TABLE.filter((row) => combination.every((value, i) => matches(row[i], value)));

      expect(rows.length, describeCombination(combination)).toBe(1);
    }
  });

  it.each(combinations.map((c) => [describeCombination(c), c] as const))('%s', async (_name, combination) => {
    const row = TABLE.find((r) => combination.every((value, i) => matches(r[i], value)))!;
    const expected = Object.fromEntries(COLUMNS.map((column, i) => [column, row[4 + i]]));
    expected['not known to start therapy'] = expected['starts therapy'] !== true;
    expected['not known to continue therapy'] = expected['continues therapy'] !== true;
    const facts = factsOf(...combination);

    const { outcomes } = await evaluator.evaluateWithOutcomes(facts);
    const referenceOutcomes = reference.outcomes(facts);

    for (const [condition, truth] of Object.entries(expected)) {
      expect(truthOf(outcomes[probeId(condition)]), `evaluate(): ${condition}`).toBe(truth);
      expect(truthOf(referenceOutcomes[probeId(condition)]), `reference interpreter: ${condition}`).toBe(truth);
    }
  });

  it('asks for both order.status and order.startsTherapy when neither is given and no course decides', async () => {
    const { result } = await evaluator.evaluateWithOutcomes(factsOf('-', '-', '-', false));

    const askedFor = result.missingFacts.filter((m) => m.neededBy.includes(probeId('starts therapy'))).map((m) => m.fact);

    expect(askedFor).toEqual(['order.startsTherapy', 'order.status']);
  });
});
