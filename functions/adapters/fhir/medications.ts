import type { CodeableConcept, Dosage, Medication, MedicationRequest, MedicationStatement, Quantity, Ratio } from 'fhir/r4';
import { IMATINIB_PRODUCTS, PREDNISONE, SYSTEM, TABLET_COUNT_UNITS } from './codes.js';
import { inRange } from './observations.js';
import { hasCode, lookupCode, mentions, systemOf } from './resources.js';
import { ucumOf, unitFactor } from './units.js';

/**
 * Medications: which drug a request or statement is for (by RxNorm code or name, also through a
 * contained or bundled Medication), the strength of one tablet of it, and the daily dose of an
 * imatinib order.
 */

export type MedicationUse = MedicationRequest | MedicationStatement;

/**
 * The Medication a request or statement references, contained (`#id`) or among `medications`
 * (`Medication/id`, relative or as the end of an absolute URL).
 */
export function medicationOf(use: MedicationUse, medications: readonly Medication[] = []): Medication | undefined {
  const reference = use.medicationReference?.reference;
  if (reference === undefined) return undefined;
  if (reference.startsWith('#')) {
    return use.contained?.find((r): r is Medication => r.resourceType === 'Medication' && r.id === reference.slice(1));
  }
  return medications.find(
    (m) => m.id !== undefined && (reference === `Medication/${m.id}` || reference.endsWith(`/Medication/${m.id}`)),
  );
}

/** The drug a request or statement is for: its own concept, or that of the Medication it references. */
export function drugOf(use: MedicationUse, medications: readonly Medication[] = []): CodeableConcept | undefined {
  return use.medicationCodeableConcept ?? medicationOf(use, medications)?.code;
}

const IMATINIB_CODES = IMATINIB_PRODUCTS.map((p) => p.code);
const IMATINIB_NAMES: readonly string[] = ['imatinib', 'gleevec', 'glivec'];

/** Is this drug imatinib? By RxNorm code, else by the name (imatinib, Gleevec, Glivec) in its text. */
export function isImatinibDrug(drug: CodeableConcept | undefined): boolean {
  return hasCode(drug, SYSTEM.rxnorm, IMATINIB_CODES) || IMATINIB_NAMES.some((name) => mentions(drug, name));
}

export function isPrednisoneDrug(drug: CodeableConcept | undefined): boolean {
  return hasCode(drug, SYSTEM.rxnorm, [PREDNISONE.code]) || mentions(drug, 'prednisone');
}

/** Is this use for imatinib (by its own concept or the Medication it references)? */
export const isImatinibUse = (use: MedicationUse, medications: readonly Medication[] = []) =>
  isImatinibDrug(drugOf(use, medications));

/** Is a quantity a count of tablets (UCUM `{pill}`, `{tbl}`, `1`, or HL7's orderable drug form TAB)? */
export function isTabletCount(quantity: Pick<Quantity, 'code' | 'unit' | 'system'> | undefined): boolean {
  const unit = quantity?.code ?? quantity?.unit;
  if (unit === undefined) return false;
  const system = systemOf(quantity?.system);
  return TABLET_COUNT_UNITS.some(
    (t) =>
      (system === undefined || system === t.system) && (t.code.startsWith('{') ? unit.toLowerCase() === t.code : unit === t.code),
  );
}

/** A mass in mg, by the UCUM library's factor (`g`, `ug`); undefined in any other unit. */
export function massMg(quantity: Quantity | undefined): number | undefined {
  if (quantity?.value === undefined || quantity.comparator !== undefined) return undefined;
  const unit = ucumOf(quantity);
  const factor = unit === undefined ? undefined : unitFactor(unit, 'mg');
  return factor === undefined ? undefined : quantity.value * factor;
}

/** mg per tablet from a strength ratio (`400 mg` per `1 TAB`). */
function perTabletMg(strength: Ratio | undefined): number | undefined {
  const mg = massMg(strength?.numerator);
  const per = strength?.denominator;
  if (mg === undefined || per?.value === undefined || per.value <= 0 || !isTabletCount(per)) return undefined;
  return inRange(mg / per.value, Number.MIN_VALUE);
}

/** The imatinib ingredient of a Medication: the one named imatinib, or its only ingredient. */
function imatinibIngredient(medication: Medication) {
  const ingredients = medication.ingredient ?? [];
  return (
    ingredients.find((i) => isImatinibDrug(i.itemCodeableConcept)) ?? (ingredients.length === 1 ? ingredients[0] : undefined)
  );
}

const STRENGTH_BY_CODE: Readonly<Record<string, number>> = Object.fromEntries(
  IMATINIB_PRODUCTS.filter((p) => p.strengthMg).map((p) => [p.code, p.strengthMg!]),
);

/**
 * The strength of one tablet, in mg: from the product's RxNorm code, else from the Medication's
 * `ingredient.strength` (any product: a strength per tablet). The ingredient code names none.
 */
export function tabletStrengthMg(drug: CodeableConcept | undefined, medication?: Medication): number | undefined {
  const coded = lookupCode(drug, SYSTEM.rxnorm, STRENGTH_BY_CODE);
  if (coded !== undefined) return coded;
  const ingredient = medication && imatinibIngredient(medication);
  return perTabletMg(ingredient?.strength);
}

/** Doses per day from a timing, or undefined when it cannot be counted with certainty. */
function dosesPerDay(dosage: Dosage): number | undefined {
  const repeat = dosage.timing?.repeat;
  if (repeat?.frequency === undefined || repeat.period === undefined || repeat.periodUnit === undefined) return undefined;
  if (repeat.frequencyMax !== undefined || repeat.periodMax !== undefined) return undefined;
  // Only on some days of the week (400 mg Mon/Wed/Fri): no one dose a day to check against the label.
  if ((repeat.dayOfWeek?.length ?? 0) > 0) return undefined;
  const days = unitFactor(repeat.periodUnit, 'd');
  return days === undefined || repeat.period <= 0 ? undefined : repeat.frequency / (repeat.period * days);
}

/** One dose in mg: a mass (mg, g, ug), or a count of tablets of a product whose strength is known. */
function doseMg(quantity: Quantity | undefined, strengthMg: number | undefined): number | undefined {
  if (quantity?.value === undefined || quantity.comparator !== undefined) return undefined;
  if (isTabletCount(quantity)) return strengthMg === undefined ? undefined : quantity.value * strengthMg;
  return massMg(quantity);
}

/** A duration in days (`30 d`, `4 wk`), by the UCUM library's factor; undefined in any other unit. */
export function durationDays(duration: Quantity | undefined): number | undefined {
  if (duration?.value === undefined || duration.comparator !== undefined) return undefined;
  const unit = duration.code ?? duration.unit;
  const factor = unit === undefined ? undefined : unitFactor(unit, 'd');
  return factor === undefined ? undefined : duration.value * factor;
}

/** Tablets per day of a request whose every instruction is a count of tablets; undefined otherwise. */
export function tabletsPerDay(request: MedicationRequest): number | undefined {
  const dosages = request.dosageInstruction ?? [];
  if (dosages.length === 0) return undefined;
  let total = 0;
  for (const dosage of dosages) {
    const dose = dosage.doseAndRate?.length === 1 ? dosage.doseAndRate[0]?.doseQuantity : undefined;
    const perDay = dosesPerDay(dosage);
    if (dose?.value === undefined || !isTabletCount(dose) || perDay === undefined) return undefined;
    total += dose.value * perDay;
  }
  return total;
}

/**
 * Daily dose in mg: each dosage instruction's dose times its doses per day, summed. Any
 * instruction that cannot be read (a range, tablets of an unknown strength, "as directed") makes
 * the whole dose unknown.
 */
export function dailyDoseMg(request: MedicationRequest, medications: readonly Medication[] = []): number | undefined {
  const dosages = request.dosageInstruction ?? [];
  if (dosages.length === 0) return undefined;
  const strength = tabletStrengthMg(drugOf(request, medications), medicationOf(request, medications));
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
