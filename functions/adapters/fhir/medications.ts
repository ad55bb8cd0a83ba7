import type { CodeableConcept, Dosage, Medication, MedicationRequest, MedicationStatement, Quantity } from 'fhir/r4';
import { IMATINIB_PRODUCTS, PREDNISONE, RXNORM_INGREDIENTS, SYSTEM } from './codes.js';
import { lookup } from './lookup.js';
import { inRange } from './observations.js';
import { hasCode, lookupCode, mentions, timeOf } from './resources.js';

/**
 * Medications: which drug a request or statement is for (by RxNorm code or name, also through a
 * contained or bundled Medication), the daily dose of an imatinib order, the list of drugs taken
 * now, and where the current imatinib course started.
 */

type MedicationUse = MedicationRequest | MedicationStatement;

/**
 * The drug a request or statement is for: its own concept, or that of the Medication its
 * `medicationReference` names, contained (`#id`) or among `medications` (`Medication/id`).
 */
export function drugOf(use: MedicationUse, medications: readonly Medication[] = []): CodeableConcept | undefined {
  if (use.medicationCodeableConcept) return use.medicationCodeableConcept;
  const reference = use.medicationReference?.reference;
  if (reference === undefined) return undefined;
  const contained = reference.startsWith('#')
    ? use.contained?.find((r): r is Medication => r.resourceType === 'Medication' && r.id === reference.slice(1))
    : medications.find((m) => `Medication/${m.id}` === reference);
  return contained?.code;
}

const IMATINIB_CODES = IMATINIB_PRODUCTS.map((p) => p.code);

/** Is this drug imatinib? By RxNorm code, else by the name (imatinib, Gleevec, Glivec) in its text. */
export function isImatinibDrug(drug: CodeableConcept | undefined): boolean {
  return hasCode(drug, SYSTEM.rxnorm, IMATINIB_CODES) || ['imatinib', 'gleevec', 'glivec'].some((name) => mentions(drug, name));
}

export function isPrednisoneDrug(drug: CodeableConcept | undefined): boolean {
  return hasCode(drug, SYSTEM.rxnorm, [PREDNISONE.code]) || mentions(drug, 'prednisone');
}

const PER_DAY: Readonly<Record<string, number>> = { d: 1, h: 24, min: 24 * 60, wk: 1 / 7 };

/** Doses per day from a timing, or undefined when it cannot be counted with certainty. */
function dosesPerDay(dosage: Dosage): number | undefined {
  const repeat = dosage.timing?.repeat;
  if (repeat?.frequency === undefined || repeat.period === undefined || repeat.periodUnit === undefined) return undefined;
  if (repeat.frequencyMax !== undefined || repeat.periodMax !== undefined) return undefined;
  // Only on some days of the week (400 mg Mon/Wed/Fri): no one dose a day to check against the label.
  if ((repeat.dayOfWeek?.length ?? 0) > 0) return undefined;
  const perDay = lookup(PER_DAY, repeat.periodUnit);
  return perDay === undefined || repeat.period <= 0 ? undefined : (repeat.frequency * perDay) / repeat.period;
}

/**
 * UCUM units for a count of tablets: the annotations the public sandbox and others send, in any case
 * (FHIR's common units spell it `{Pill}`; an annotation's case carries no meaning), and unity.
 */
const TABLET_COUNT_UNITS: readonly string[] = ['{pill}', '{tbl}', '1'];

/** One dose in mg: given in mg or g, or as a count of tablets of a product whose strength is known. */
function doseMg(quantity: Quantity | undefined, strengthMg: number | undefined): number | undefined {
  if (quantity?.value === undefined) return undefined;
  const unit = quantity.code ?? quantity.unit;
  if (unit === 'mg') return quantity.value;
  if (unit === 'g') return quantity.value * 1000;
  if (unit !== undefined && TABLET_COUNT_UNITS.includes(unit.toLowerCase()) && strengthMg !== undefined) {
    return quantity.value * strengthMg;
  }
  return undefined;
}

/** The strength of one tablet of the drug, when its RxNorm code names a product whose strength is known. */
const strengthOf = (drug: CodeableConcept | undefined) =>
  lookupCode(
    drug,
    SYSTEM.rxnorm,
    Object.fromEntries(IMATINIB_PRODUCTS.filter((p) => p.strengthMg).map((p) => [p.code, p.strengthMg!])),
  );

/**
 * Daily dose in mg: each dosage instruction's dose times its doses per day, summed. Any
 * instruction that cannot be read (a range, tablets of an unknown strength, "as directed") makes
 * the whole dose unknown.
 */
export function dailyDoseMg(request: MedicationRequest, drug: CodeableConcept | undefined = drugOf(request)): number | undefined {
  const dosages = request.dosageInstruction ?? [];
  if (dosages.length === 0) return undefined;
  const strength = strengthOf(drug);
  let total = 0;
  for (const dosage of dosages) {
    if ((dosage.doseAndRate?.length ?? 0) > 1) return undefined;
    const dose = doseMg(dosage.doseAndRate?.[0]?.doseQuantity, strength);
    const perDay = dosesPerDay(dosage);
    if (dose === undefined || perDay === undefined) return undefined;
    total += dose * perDay;
  }
  return inRange(Number(total.toFixed(6)), Number.MIN_VALUE);
}

const TAKEN_NOW: readonly string[] = ['active'];

/**
 * The names of the drugs taken now, imatinib aside, for `medications.active`: the generic name of a
 * value-set member coded in RxNorm, and every name in the text. The drugs of the call's other draft
 * orders count too (`drafted`): ordered together with imatinib, they will be taken with it. Undefined
 * (not known) when a list of the record could not be read whole: "no interacting drug" may only be
 * said of complete lists.
 */
export function activeMedicationNames(
  lists: readonly { uses: readonly MedicationUse[]; unreadable: number }[],
  medications: readonly Medication[] = [],
  drafted: readonly MedicationRequest[] = [],
): string[] | undefined {
  if (lists.some((list) => list.unreadable > 0)) return undefined;
  const names = new Set<string>();
  const takenNow = lists.flatMap((list) => list.uses).filter((use) => TAKEN_NOW.includes(use.status ?? ''));
  for (const use of [...takenNow, ...drafted]) {
    const drug = drugOf(use, medications);
    if (drug === undefined || isImatinibDrug(drug)) continue;
    const coded = lookupCode(drug, SYSTEM.rxnorm, RXNORM_INGREDIENTS);
    if (coded) names.add(coded);
    const text = drug.text ?? drug.coding?.find((c) => c.display)?.display;
    if (text) names.add(text);
  }
  return [...names].sort();
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** When a use of imatinib began, as FHIR gives it: a request's authoredOn, a statement's effective start. */
function startOf(use: MedicationUse): string | undefined {
  if (use.resourceType === 'MedicationRequest') return use.authoredOn;
  return use.effectivePeriod?.start ?? use.effectiveDateTime;
}

/** The imatinib uses that continue now: active requests and statements, the draft being checked aside. */
export function continuingImatinib(
  uses: readonly MedicationUse[],
  medications: readonly Medication[],
  draft?: MedicationRequest,
): MedicationUse[] {
  return uses.filter(
    (use) =>
      use !== draft &&
      (draft?.id === undefined || use.id !== draft.id) &&
      TAKEN_NOW.includes(use.status ?? '') &&
      isImatinibDrug(drugOf(use, medications)),
  );
}

/**
 * The start of the current imatinib course: the earliest start of the uses that continue now
 * (`at`), and until when a result still counts as taken before it (`baselineThrough`): the end of
 * that day when the start is a date alone, since a sample drawn on the day therapy began is its
 * baseline, and the start itself when it has a time.
 */
export function courseStart(continuing: readonly MedicationUse[]): { at: number; baselineThrough: number } | undefined {
  const starts = continuing
    .map(startOf)
    .flatMap((value) => {
      const at = timeOf(value);
      return at === undefined ? [] : [{ at, baselineThrough: /^\d{4}-\d{2}-\d{2}$/.test(value!) ? at + DAY_MS - 1 : at }];
    })
    .sort((a, b) => a.at - b.at);
  return starts[0];
}
