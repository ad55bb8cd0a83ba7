import type { MedicationRequest } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { cardOfFinding, cardOfMissingFacts } from '../../../functions/adapters/cds-hooks/card-text.js';
import { cardFor, missingFactsCard, type Card } from '../../../functions/adapters/cds-hooks/cards.js';
import { evaluate, type Finding, type PatientFacts } from '../../../functions/core/index.js';
import { readCaseFiles } from '../../../scripts/knowledge-base/check-cases.js';
import { RULES_DIR } from '../../../scripts/knowledge-base/rule-files.js';

/**
 * A card as the CDS Hooks service sends it is its words (card-text.ts, which the review console shows
 * as they are) plus what ties it to one EHR call (uuid) and one draft order (the FHIR resources of
 * its suggestions, and what a suggestion changes in the draft beyond the dose): nothing in cards.ts
 * changes what a card says. The draft here is one a dose change leaves as it is (a 100 mg tablet,
 * no dispense request), so its cards add nothing.
 */

const draftOrder: MedicationRequest = {
  resourceType: 'MedicationRequest',
  id: 'draft-imatinib',
  status: 'draft',
  intent: 'order',
  subject: { reference: 'Patient/example' },
  medicationCodeableConcept: {
    coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '403878', display: 'imatinib 100 MG Oral Tablet' }],
  },
};
const call = { hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea', orders: [draftOrder] };

/** A service card as the console shows it: each suggestion by its label and its action's description. */
function asShown({ uuid: _uuid, suggestions, ...card }: Card) {
  return {
    ...card,
    ...(suggestions ? { suggestions: suggestions.map((s) => ({ label: s.label, description: s.actions[0]!.description })) } : {}),
  };
}

/** Whether the missing-facts card names `fact` by its dotted path where a name should be. */
const factNamedByPath = (fact: string) => cardOfMissingFacts([{ fact, neededBy: [] }]).detail.includes(`**${fact}**`);

const everyCase = [...readCaseFiles(RULES_DIR)].flatMap(([rule, file]) =>
  file.cases.map((c) => [`${rule}: ${c.name}`, c.facts as PatientFacts] as const),
);

describe('the words of the cards', () => {
  it.each(everyCase)('are those the CDS Hooks service sends for %s', async (_name, facts) => {
    const result = await evaluate(facts);

    for (const finding of result.findings) expect(cardOfFinding(finding)).toEqual(asShown(cardFor(finding, draftOrder, call)));
    if (result.missingFacts.length > 0)
      expect(cardOfMissingFacts(result.missingFacts)).toEqual(asShown(missingFactsCard(result.missingFacts, call)));
  });
});

describe('the card of what is not on record', () => {
  it('names in words every fact a rule case leaves missing, never by its path alone', async () => {
    const missing = new Set<string>();
    for (const [, facts] of everyCase) for (const m of (await evaluate(facts)).missingFacts) missing.add(m.fact);

    const unnamed = [...missing].filter(factNamedByPath);

    expect(missing.size).toBeGreaterThan(20);
    expect(unnamed).toEqual([]);
  });
});

describe('what a card quotes from the record', () => {
  it('is the words of a medication name, never its markup', async () => {
    const hostile = ['<img src=x onerror=alert(1)> Rifampin', '[Carbamazepine](javascript:alert(1))', '**Warfarin** `sodium`'];
    const result = await evaluate({ medications: { active: hostile }, order: { drug: 'imatinib', dailyDoseMg: 400 } });

    const details = result.findings.map((f) => cardOfFinding(f).detail);

    const quoted = details.flatMap((detail) => detail.match(/\*\*Why this card:\*\* .*$/m) ?? []).join('\n');
    expect(quoted).toContain('img src x onerror alert 1 rifampin = rifampin');
    expect(quoted).toContain('carbamazepine javascript alert 1 = carbamazepine');
    expect(quoted).toContain('warfarin sodium = warfarin');
    for (const markup of ['<img', 'javascript:', '](', '`sodium`', '**Warfarin**']) expect(quoted).not.toContain(markup);
  });
});

describe('a card that cites no source', () => {
  const aboutTheRecord: Finding = {
    ruleId: 'a-rule-about-the-record',
    category: 'monitoring',
    indicator: 'warning',
    summary: 'A count sent in other units.',
    detail: 'Check its units.',
    evidence: [],
    noSource: 'A statement about the record, not about the patient.',
    rationale: { text: 'A reason.', facts: {}, conditions: { operator: 'all', result: true, conditions: [] } },
  };

  it('names the knowledge base as its source and says why it cites none', () => {
    const card = cardOfFinding(aboutTheRecord);

    expect(card.source.label).toMatch(/^imatinib-sm knowledge base \d+\.\d+\.\d+/);
    expect(card.source.url).toBeUndefined();
    expect(card.detail).toContain('No source is cited: A statement about the record, not about the patient.');
  });
});

describe('the entries a missing fact quotes', () => {
  it('quotes each entry that could not be read in a code span, beside the fact it may hold', () => {
    const card = cardOfMissingFacts([
      { fact: 'molecular.kitD816V', neededBy: ['a-rule'], unreadableEntries: ['c.2447A>G', 'exon 11 del'] },
    ]);

    expect(card.detail).toContain('entries that could not be read: `c.2447A>G`, `exon 11 del`');
  });
});
