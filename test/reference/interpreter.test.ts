import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadReference } from './interpreter.js';
import type { Outcome, Reference } from './interpreter.js';

/**
 * Unit tests of the reference interpreter on small synthetic rule sets, each written to its own
 * temporary folder. A single rule `r` that always applies turns a condition's truth into an
 * outcome: true -> fired, false -> not-fired, unknown -> undecided.
 */

type Json = Record<string, unknown>;

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const leaf = (fact: string, p: string | undefined, operator: string, value: unknown, params?: Json): Json => ({
  name: `${fact} ${operator}`,
  fact,
  ...(p === undefined ? {} : { path: p }),
  operator,
  value,
  ...(params ? { params } : {}),
});
const all = (...parts: Json[]): Json => ({ all: parts });
const any = (...parts: Json[]): Json => ({ any: parts });

/** Conditions whose truth does not depend on the facts beyond `labs.x`. */
const TRUE = leaf('labs', '$.x', 'known', true);
const FALSE = leaf('labs', '$.x', 'equal', 'never');
const UNKNOWN = leaf('labs', '$.absent', 'equal', 1);
const BASE = { labs: { x: 1 } };

interface RuleOptions {
  applies?: Json[];
  indicator?: string;
  priority?: number;
}

const rule = (id: string, fires: Json, { applies = [], indicator = 'info', priority = 1 }: RuleOptions = {}): Json => ({
  name: id,
  priority,
  conditions: {
    all: [
      { name: 'applies when', all: applies },
      { name: 'fires when', ...fires },
    ],
  },
  event: { type: id, params: { indicator, summary: 'ignored' } },
});

function writeRules(rules: Json[], knowledgeBase?: Json): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reference-interpreter-'));
  tempDirs.push(dir);
  for (const r of rules) fs.writeFileSync(path.join(dir, `${String(r.name)}.json`), JSON.stringify(r));
  if (knowledgeBase) fs.writeFileSync(path.join(dir, 'knowledge-base.json'), JSON.stringify(knowledgeBase));
  return dir;
}

const load = (rules: Json[], knowledgeBase?: Json): Reference => loadReference(writeRules(rules, knowledgeBase));

/** The outcome of one always-applicable rule `r` whose "fires when" is `fires`. */
function outcome(fires: Json, facts: object, knowledgeBase?: Json): Outcome | undefined {
  return load([rule('r', fires)], knowledgeBase).outcomes(facts).r;
}

const TRUTH_OUTCOME = { true: 'fired', false: 'not-fired', null: 'undecided' } as const;

describe('loadReference', () => {
  it('reads the rule files of the folder, ignoring the knowledge base, schema files and subfolders', () => {
    const dir = writeRules([rule('b', all(TRUE)), rule('a', all(TRUE))], { id: 'kb' });
    fs.writeFileSync(path.join(dir, 'rule.schema.json'), '{"not": "a rule"}');
    fs.mkdirSync(path.join(dir, 'cases'));
    fs.writeFileSync(path.join(dir, 'cases', 'c.json'), JSON.stringify(rule('c', all(TRUE))));

    const reference = loadReference(dir);

    expect(reference.ruleIds).toEqual(['a', 'b']);
  });

  it('loads the repository rules by default', () => {
    const reference = loadReference();

    expect(reference.ruleIds.length).toBeGreaterThan(0);
    expect(Object.keys(reference.outcomes({}))).toEqual(reference.ruleIds);
  });

  it('rejects an unknown operator, naming the rule', () => {
    const dir = writeRules([rule('odd-rule', all(leaf('labs', '$.x', 'startsWith', 'a')))]);

    expect(() => loadReference(dir)).toThrow(/odd-rule.*startsWith/);
  });

  it('rejects a rule whose conditions are not "applies when" then "fires when"', () => {
    const malformed = {
      ...rule('swapped', all(TRUE)),
      conditions: {
        all: [
          { name: 'fires when', all: [] },
          { name: 'applies when', all: [] },
        ],
      },
    };

    expect(() => load([malformed])).toThrow(/swapped/);
  });

  it('rejects a count of a rule that does not exist', () => {
    const counting = rule(
      'counting',
      all(leaf('countOfRules', undefined, 'equal', 0, { rules: ['ghost'], withOutcome: ['fired'] })),
    );

    expect(() => load([counting])).toThrow(/counting.*ghost/);
  });

  it('rejects a value set the knowledge base does not define', () => {
    const matching = rule(
      'matching',
      all(leaf('valueSetMatches', undefined, 'hasItems', true, { valueSet: 'missing', lists: ['medications.active'] })),
    );

    expect(() => load([matching], { id: 'kb' })).toThrow(/matching.*missing/);
  });
});

describe('operators', () => {
  it.each([
    ['equal', 'a', 'a', true],
    ['equal', 'a', 'b', false],
    ['equal', 1, '1', false],
    ['notEqual', 'a', 'b', true],
    ['notEqual', 'a', 'a', false],
    ['in', 'a', ['a', 'b'], true],
    ['in', 'c', ['a', 'b'], false],
    ['notIn', 'c', ['a', 'b'], true],
    ['notIn', 'a', ['a', 'b'], false],
    ['contains', ['x', 'y'], 'x', true],
    ['contains', ['y'], 'x', false],
    ['contains', 'xyz', 'x', false],
    ['doesNotContain', ['y'], 'x', true],
    ['doesNotContain', ['x'], 'x', false],
    ['doesNotContain', 'y', 'x', false],
    ['lessThan', 1, 2, true],
    ['lessThan', 2, 2, false],
    ['lessThan', '1', 2, false],
    ['lessThanInclusive', 2, 2, true],
    ['lessThanInclusive', 3, 2, false],
    ['greaterThan', 3, 2, true],
    ['greaterThan', 2, 2, false],
    ['greaterThan', Infinity, 2, false],
    ['greaterThanInclusive', 2, 2, true],
    ['greaterThanInclusive', 1, 2, false],
    ['hasItems', [1], true, true],
    ['hasItems', [], true, false],
    ['hasItems', [], false, true],
    ['hasItems', 'abc', true, false],
    ['wholeNumber', 1800, true, true],
    ['wholeNumber', 1.8, true, false],
    ['wholeNumber', 1.8, false, true],
    ['wholeNumber', 0, false, false],
    ['wholeNumber', '2', true, false],
    ['known', 'x', true, true],
    ['known', 'x', false, false],
  ])('evaluates %s on %j against %j as %s', (operator, actual, value, expected) => {
    const facts = { labs: { v: actual } };

    const result = outcome(all(leaf('labs', '$.v', operator, value)), facts);

    expect(result).toBe(TRUTH_OUTCOME[`${expected}`]);
  });

  it.each([[undefined], [null], ['unknown']])('reads %j as not known with the known operator', (actual) => {
    const facts = { labs: { v: actual } };

    expect(outcome(all(leaf('labs', '$.v', 'known', false)), facts)).toBe('fired');
    expect(outcome(all(leaf('labs', '$.v', 'known', true)), facts)).toBe('not-fired');
  });
});

describe('unknown values', () => {
  it('leaves a comparison on an absent fact unknown', () => {
    const result = outcome(all(leaf('labs', '$.v', 'lessThan', 5)), {});

    expect(result).toBe('undecided');
  });

  it.each([[null], ['unknown']])('leaves a comparison on %j unknown, even for notEqual', (actual) => {
    const result = outcome(all(leaf('labs', '$.v', 'notEqual', 'x')), { labs: { v: actual } });

    expect(result).toBe('undecided');
  });

  it('reads a path through a missing step as unknown', () => {
    const result = outcome(all(leaf('treatmentCourse', '$.baseline.serumTryptaseNgMl', 'greaterThan', 0)), {
      treatmentCourse: {},
    });

    expect(result).toBe('undecided');
  });

  it('reads inherited properties as absent', () => {
    const facts = { labs: { x: 1 } };

    expect(outcome(all(leaf('labs', '$.constructor', 'known', false)), facts)).toBe('fired');
    expect(outcome(all(leaf('labs', '$.x.toFixed', 'known', false)), facts)).toBe('fired');
  });

  it('reads a final length segment on an array as its length, not on a string', () => {
    const facts = { medications: { list: ['a', 'b'], text: 'abc' } };

    expect(outcome(all(leaf('medications', '$.list.length', 'equal', 2)), facts)).toBe('fired');
    expect(outcome(all(leaf('medications', '$.text.length', 'known', false)), facts)).toBe('fired');
  });

  it('reads the whole section when there is no path', () => {
    expect(outcome(all(leaf('treatmentCourse', undefined, 'known', true)), { treatmentCourse: {} })).toBe('fired');
    expect(outcome(all(leaf('treatmentCourse', undefined, 'known', false)), {})).toBe('fired');
  });
});

describe('Kleene logic', () => {
  it.each([
    ['all', [TRUE, TRUE], 'fired'],
    ['all', [TRUE, UNKNOWN], 'undecided'],
    ['all', [FALSE, UNKNOWN], 'not-fired'],
    ['all', [], 'fired'],
    ['any', [FALSE, FALSE], 'not-fired'],
    ['any', [FALSE, UNKNOWN], 'undecided'],
    ['any', [TRUE, UNKNOWN], 'fired'],
    ['any', [], 'not-fired'],
  ])('combines %s of %j into %s', (kind, parts, expected) => {
    const fires = kind === 'all' ? all(...parts) : any(...parts);

    expect(outcome(fires, BASE)).toBe(expected);
  });

  it('combines nested conditions', () => {
    const fires = all(any(FALSE, all(TRUE, TRUE)), any(UNKNOWN, TRUE));

    expect(outcome(fires, BASE)).toBe('fired');
  });
});

describe('outcomes', () => {
  const truths = { true: TRUE, false: FALSE, unknown: UNKNOWN };
  it.each([
    ['true', 'true', 'fired'],
    ['true', 'false', 'not-fired'],
    ['true', 'unknown', 'undecided'],
    ['false', 'true', 'not-applicable'],
    ['false', 'false', 'not-applicable'],
    ['false', 'unknown', 'not-applicable'],
    ['unknown', 'true', 'undecided'],
    ['unknown', 'false', 'not-applicable'],
    ['unknown', 'unknown', 'undecided'],
  ] as const)('gives applies=%s, fires=%s the outcome %s', (applies, fires, expected) => {
    const reference = load([rule('r', all(truths[fires]), { applies: [truths[applies]] })]);

    expect(reference.outcomes(BASE)).toEqual({ r: expected });
  });

  it('lists only fired rules, by indicator, then priority descending, then id', () => {
    const reference = load([
      rule('info-high', all(TRUE), { indicator: 'info', priority: 900 }),
      rule('warning-low', all(TRUE), { indicator: 'warning', priority: 1 }),
      rule('critical-b', all(TRUE), { indicator: 'critical', priority: 5 }),
      rule('critical-a', all(TRUE), { indicator: 'critical', priority: 5 }),
      rule('critical-top', all(TRUE), { indicator: 'critical', priority: 10 }),
      rule('warning-silent', all(FALSE), { indicator: 'warning', priority: 1000 }),
      rule('B-upper', all(TRUE), { indicator: 'info', priority: 900 }),
    ]);

    const fired = reference.firedRuleIds(BASE);

    expect(fired).toEqual(['critical-top', 'critical-a', 'critical-b', 'warning-low', 'B-upper', 'info-high']);
  });
});

describe('normalisation', () => {
  it.each(['imatinib', 'Imatinib', 'IMATINIB MESYLATE', 'Gleevec', 'glivec'])('reads the order drug %j as imatinib', (drug) => {
    const result = outcome(all(leaf('order', '$.drug', 'equal', 'imatinib')), { order: { drug } });

    expect(result).toBe('fired');
  });

  it.each(['dasatinib', ' imatinib', 'imatinib 400 mg'])('leaves the order drug %j as it is', (drug) => {
    const result = outcome(all(leaf('order', '$.drug', 'equal', drug)), { order: { drug } });

    expect(result).toBe('fired');
  });

  it.each([
    ['p.Phe522Cys', 'F522C'],
    ['Phe522Cys', 'F522C'],
    ['p.F522C', 'F522C'],
    ['f522c', 'F522C'],
    ['  P.(asp816val) ', 'D816V'],
    ['p.Tyr578Ter', 'Y578*'],
    ['Asp816_Ile817insVal', 'D816_I817insV'],
    ['d816_i817INSv', 'D816_I817insV'],
    ['p.Ala502_Tyr503dup', 'A502_Y503dup'],
    ['Lys550_Lys558del', 'K550_K558del'],
    ['K550_K558delinsNE', 'K550_K558delinsNE'],
    ['V560DEL', 'V560del'],
    ['Val559delinsAsp', 'V559delinsD'],
    ['p.Val559insAspIle', 'V559insDI'],
    ['p.Pro551LeufsTer5', 'P551Lfs*5'],
    ['P551FS', 'P551fs'],
    ['DEL419', 'del419'],
    ['KIT p.D816V', 'D816V'],
    ['KIT:p.Asp816Val', 'D816V'],
    ['kit D816V', 'D816V'],
    ['c-KIT (p.Asp816Val)', 'D816V'],
    ['c.2447A>T', 'D816V'],
    ['NM_000222.2:c.2447a>t', 'D816V'],
  ])('rewrites the KIT variant %j as %j', (entry, canonical) => {
    const result = outcome(all(leaf('molecular', '$.kitOtherMutations', 'contains', canonical)), {
      molecular: { kitOtherMutations: [entry] },
    });

    expect(result).toBe('fired');
  });

  it.each(['c.2446G>C', 'NM_001093772.1:c.2447A>T', 'exon 11 deletion', '', 'D816', 'D816_I817ins', 'p.(D816V', 'B816V'])(
    'keeps the unreadable KIT variant %j as it is',
    (entry) => {
      const result = outcome(all(leaf('molecular', '$.kitOtherMutations', 'contains', entry)), {
        molecular: { kitOtherMutations: [entry] },
      });

      expect(result).toBe('fired');
    },
  );

  it.each(['D816V', 'p.Asp816Val'])('sets kitD816V to detected when the other KIT variants include %j', (entry) => {
    const facts = { molecular: { kitD816V: 'not-detected', kitOtherMutations: ['F522C', entry] } };

    expect(outcome(all(leaf('molecular', '$.kitD816V', 'equal', 'detected')), facts)).toBe('fired');
  });

  it('reads a not-detected D816V result as unknown beside an entry it cannot read', () => {
    const facts = { molecular: { kitD816V: 'not-detected', kitOtherMutations: ['F522C', 'exon 17 mutation'] } };

    expect(outcome(all(leaf('molecular', '$.kitD816V', 'equal', 'not-detected')), facts)).toBe('undecided');
    expect(outcome(all(leaf('kitVariantsUnreadable', undefined, 'hasItems', true)), facts)).toBe('fired');
  });

  it('keeps a detected D816V result beside an entry it cannot read', () => {
    const facts = { molecular: { kitD816V: 'detected', kitOtherMutations: ['exon 17 mutation'] } };

    expect(outcome(all(leaf('molecular', '$.kitD816V', 'equal', 'detected')), facts)).toBe('fired');
  });

  it.each(['D816H', 'D816_I817insV'])('leaves kitD816V alone for %j', (entry) => {
    const facts = { molecular: { kitOtherMutations: [entry] } };

    expect(outcome(all(leaf('molecular', '$.kitD816V', 'known', false)), facts)).toBe('fired');
  });

  it('never changes the facts it is given', () => {
    const facts = { order: { drug: 'Gleevec' }, molecular: { kitD816V: 'unknown', kitOtherMutations: ['p.Asp816Val'] } };
    const before = structuredClone(facts);

    load([rule('r', all(TRUE))]).outcomes(facts);

    expect(facts).toEqual(before);
  });
});

describe('derived fact percentChangeFromBaseline', () => {
  const change = (operator: string, value: number): Json =>
    all(leaf('percentChangeFromBaseline', undefined, operator, value, { measure: 'serumTryptaseNgMl' }));
  const course = (baseline: unknown, current: unknown): object => ({
    treatmentCourse: { baseline: { serumTryptaseNgMl: baseline }, current: { serumTryptaseNgMl: current } },
  });

  it('computes the change from baseline as a percentage of baseline, negative for a fall', () => {
    expect(outcome(change('lessThanInclusive', -60), course(100, 40))).toBe('fired');
    expect(outcome(change('lessThan', -60), course(100, 40))).toBe('not-fired');
    expect(outcome(change('equal', 50), course(100, 150))).toBe('fired');
  });

  it('reads a zero baseline as no change', () => {
    expect(outcome(change('equal', 0), course(0, 12))).toBe('fired');
  });

  it.each([
    [undefined, 40],
    [100, undefined],
    ['100', 40],
    [100, null],
  ])('is unknown when baseline %j or current %j is not a number', (baseline, current) => {
    expect(outcome(change('greaterThan', 0), course(baseline, current))).toBe('undecided');
  });
});

describe('derived fact countOfRules', () => {
  const count = (operator: string, value: number, withOutcome: Outcome[]): Json =>
    all(leaf('countOfRules', undefined, operator, value, { rules: ['z-fired', 'z-unknown', 'z-inapplicable'], withOutcome }));
  const counted = [
    rule('z-fired', all(TRUE)),
    rule('z-unknown', all(UNKNOWN)),
    rule('z-inapplicable', all(TRUE), { applies: [FALSE] }),
  ];

  it('counts the listed rules that have one of the given outcomes, evaluating them first', () => {
    const reference = load([rule('a-count', count('equal', 2, ['fired', 'undecided'])), ...counted]);

    expect(reference.outcomes(BASE)['a-count']).toBe('fired');
  });

  it('is always known, even when it counts nothing', () => {
    const reference = load([rule('a-count', count('equal', 0, ['not-fired'])), ...counted]);

    expect(reference.outcomes(BASE)['a-count']).toBe('fired');
  });
});

describe('derived fact valueSetMatches', () => {
  const knowledgeBase = {
    valueSets: {
      drugs: {
        members: [
          { name: 'warfarin' },
          { name: 'ritonavir' },
          { name: "St John's wort" },
          { name: 'rifampin', synonyms: ['rifampicin'] },
          { name: 'quinidine' },
          { name: 'carbamazepine', brands: ['Tegretol', 'E.E.S.'] },
        ],
      },
    },
  };
  const matches = (value: boolean): Json =>
    all(
      leaf('valueSetMatches', undefined, 'hasItems', value, {
        valueSet: 'drugs',
        lists: ['medications.active', 'medications.strongCyp3a4Inducers'],
      }),
    );

  it.each([
    ['warfarin sodium', true],
    ['Warfarin', true],
    ['lopinavir/ritonavir', true],
    ["St. John's Wort", true],
    ['st john’s wort extract', true],
    ['rifampicin', true],
    ['hydroquinidine', false],
    ['St Johns', false],
    ['Tegretol XR 200 mg', true],
    ['e.e.s. 400', true],
  ])('matches %j: %s', (entry, expected) => {
    const result = outcome(matches(true), { medications: { active: [entry] } }, knowledgeBase);

    expect(result).toBe(expected ? 'fired' : 'not-fired');
  });

  it('reads every listed array, skipping ones that are absent', () => {
    const result = outcome(matches(true), { medications: { strongCyp3a4Inducers: ['rifampin'] } }, knowledgeBase);

    expect(result).toBe('fired');
  });

  it('is unknown when none of the lists is an array', () => {
    const result = outcome(matches(true), { medications: { active: 'warfarin' } }, knowledgeBase);

    expect(result).toBe('undecided');
  });

  it('is a known empty list when the arrays hold no match', () => {
    const result = outcome(matches(false), { medications: { active: [], strongCyp3a4Inducers: ['aspirin'] } }, knowledgeBase);

    expect(result).toBe('fired');
  });
});

describe('derived fact kitVariantsFound', () => {
  const found = (value: boolean, params: Json): Json => all(leaf('kitVariantsFound', undefined, 'hasItems', value, params));
  const kit = (...kitOtherMutations: unknown[]): object => ({ molecular: { kitOtherMutations } });

  it('finds a listed variant in any notation', () => {
    expect(outcome(found(true, { variants: ['F522C'] }), kit('p.Phe522Cys'))).toBe('fired');
  });

  it('finds variants by codon range, minus the exceptions', () => {
    const params = { codons: [550, 592], except: ['V560G'] };

    expect(outcome(found(true, params), kit('V559D'))).toBe('fired');
    expect(outcome(found(true, params), kit('V560G', 'D816V'))).toBe('not-fired');
  });

  it('takes the first number as the codon', () => {
    expect(outcome(found(true, { codons: [816, 816] }), kit('Asp816_Ile817insVal'))).toBe('fired');
    expect(outcome(found(true, { codons: [419, 419] }), kit('del419'))).toBe('fired');
    expect(outcome(found(true, { codons: [817, 817] }), kit('D816_I817del'))).toBe('not-fired');
  });

  it('is unknown when nothing matched but an entry could not be read', () => {
    expect(outcome(found(true, { variants: ['F522C'] }), kit('K509I', 'exon 11 deletion'))).toBe('undecided');
    expect(outcome(found(true, { variants: ['F522C'] }), kit(42))).toBe('undecided');
  });

  it('finds a match even when another entry could not be read', () => {
    expect(outcome(found(true, { variants: ['F522C'] }), kit('c.2447A>T', 'F522C'))).toBe('fired');
  });

  it('is unknown when there is no list of other KIT variants', () => {
    expect(outcome(found(false, { variants: ['F522C'] }), { molecular: {} })).toBe('undecided');
  });

  it('is a known empty list for an empty list', () => {
    expect(outcome(found(false, { variants: ['F522C'], codons: [1, 1000] }), kit())).toBe('fired');
  });
});
