import type {
  CodeableConcept,
  Condition,
  Dosage,
  FhirResource,
  MedicationRequest,
  Observation,
  ObservationComponent,
  Patient,
  Quantity,
} from 'fhir/r4';
import type { PatientFacts } from '../../core/index.js';
import { describeSchemaErrors, isObject, type FieldProblem } from '../../core/index.js';
import * as readable from './generated/validate-fhir-read-subset.cjs';
import { lookup } from './lookup.js';
import {
  HGNC,
  HGNC_SYSTEMS,
  ICD10CM_SUBTYPE,
  IMATINIB_CODES,
  LOINC,
  LOINC_ANSWER,
  RXNORM,
  STRONG_CYP3A4_INDUCERS,
  SYSTEM,
} from './codes.js';

/**
 * FHIR R4 -> PatientFacts (facts.md). Pure: no I/O. What cannot be read with certainty (an unknown
 * unit, a dose in tablets, a timing it cannot count) is left out, so the core reports it missing
 * instead of deciding on a guess. The README's mapping table documents every code read here.
 */

/** What the mapping reads; `undefined` means "not provided", an empty list "provided, none found". */
export interface FhirInputs {
  patient?: Patient;
  observations?: Observation[];
  conditions?: Condition[];
  medications?: MedicationRequest[];
  /** The imatinib draft order being checked. */
  order: MedicationRequest;
  /** The other draft orders of the same request (a prednisone order counts as co-therapy). */
  otherDraftOrders: MedicationRequest[];
  /** Today, for the age. */
  now: Date;
}

// ---------------------------------------------------------------------------------------- codes

const codings = (concept: CodeableConcept | undefined) => concept?.coding ?? [];

function hasCode(concept: CodeableConcept | undefined, system: string, codes: ReadonlySet<string> | readonly string[]): boolean {
  const listed = (code: string) => ('has' in codes ? codes.has(code) : codes.includes(code));
  return codings(concept).some((c) => c.system === system && c.code !== undefined && listed(c.code));
}

/** Every name a concept carries (text and codings' displays), lower-cased. */
function namesOf(concept: CodeableConcept | undefined): string[] {
  return [concept?.text, ...codings(concept).map((c) => c.display)].filter((s): s is string => !!s).map((s) => s.toLowerCase());
}

const mentions = (concept: CodeableConcept | undefined, word: string) => namesOf(concept).some((n) => n.includes(word));

// ---------------------------------------------------------------------------------------- orders

/** Is this MedicationRequest for imatinib? By RxNorm code, else by the drug's name in its text. */
export function isImatinib(request: MedicationRequest): boolean {
  const concept = request.medicationCodeableConcept;
  return hasCode(concept, SYSTEM.rxnorm, IMATINIB_CODES) || mentions(concept, 'imatinib') || mentions(concept, 'gleevec');
}

function isPrednisone(request: MedicationRequest): boolean {
  const concept = request.medicationCodeableConcept;
  return hasCode(concept, SYSTEM.rxnorm, [RXNORM.prednisone.code]) || mentions(concept, 'prednisone');
}

const PER_DAY: Readonly<Record<string, number>> = { d: 1, h: 24, min: 24 * 60, wk: 1 / 7 };

/** Doses per day from a timing, or undefined when it cannot be counted with certainty. */
function dosesPerDay(dosage: Dosage): number | undefined {
  const repeat = dosage.timing?.repeat;
  if (repeat?.frequency === undefined || repeat.period === undefined || repeat.periodUnit === undefined) return undefined;
  if (repeat.frequencyMax !== undefined || repeat.periodMax !== undefined) return undefined;
  const perDay = lookup(PER_DAY, repeat.periodUnit);
  return perDay === undefined || repeat.period <= 0 ? undefined : (repeat.frequency * perDay) / repeat.period;
}

function milligrams(quantity: Quantity | undefined): number | undefined {
  if (quantity?.value === undefined) return undefined;
  const unit = quantity.code ?? quantity.unit;
  if (unit === 'mg') return quantity.value;
  if (unit === 'g') return quantity.value * 1000;
  return undefined;
}

/**
 * Daily dose in mg: each dosage instruction's dose in mg times its doses per day, summed. Any
 * instruction that cannot be read (a range, tablets, "as directed") makes the whole dose unknown.
 */
export function dailyDoseMg(request: MedicationRequest): number | undefined {
  const dosages = request.dosageInstruction ?? [];
  if (dosages.length === 0) return undefined;
  let total = 0;
  for (const dosage of dosages) {
    const dose = milligrams(dosage.doseAndRate?.[0]?.doseQuantity);
    const perDay = dosesPerDay(dosage);
    if (dose === undefined || perDay === undefined || (dosage.doseAndRate?.length ?? 0) > 1) return undefined;
    total += dose * perDay;
  }
  return inRange(Number(total.toFixed(6)), Number.MIN_VALUE);
}

function orderFacts(order: MedicationRequest, others: MedicationRequest[]): NonNullable<PatientFacts['order']> {
  const dose = dailyDoseMg(order);
  const status = order.status === 'active' ? 'active' : order.status === 'draft' ? 'proposed' : undefined;
  return {
    drug: 'imatinib',
    ...(dose !== undefined ? { dailyDoseMg: dose } : {}),
    ...(status ? { status } : {}),
    // A prednisone draft order alongside says yes; its absence is not a "no" (it may be planned elsewhere).
    ...(others.some(isPrednisone) ? { prednisoneCoTherapy: true } : {}),
  };
}

// ---------------------------------------------------------------------------------------- patient

function ageInYears(birthDate: string | undefined, now: Date): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate ?? '');
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  let age = now.getUTCFullYear() - year;
  if (now.getUTCMonth() + 1 < month || (now.getUTCMonth() + 1 === month && now.getUTCDate() < day)) age--;
  return age >= 0 && age <= 130 ? age : undefined;
}

const SEX: Readonly<Record<string, 'female' | 'male' | 'other' | 'unknown'>> = {
  female: 'female',
  male: 'male',
  other: 'other',
  unknown: 'unknown',
};

// ---------------------------------------------------------------------------------------- observations

const USABLE_STATUS = new Set(['final', 'amended', 'corrected', 'preliminary']);

function effectiveTime(observation: Observation): number {
  const time =
    observation.effectiveDateTime ?? observation.effectiveInstant ?? observation.effectivePeriod?.end ?? observation.issued;
  const parsed = time ? Date.parse(time) : Number.NaN;
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}

/** The most recent usable observation with one of the LOINC codes. */
function latest(observations: Observation[], ...codes: string[]): Observation | undefined {
  return observations
    .filter((o) => USABLE_STATUS.has(o.status) && hasCode(o.code, SYSTEM.loinc, codes))
    .reduce<Observation | undefined>(
      (best, o) => (best === undefined || effectiveTime(o) > effectiveTime(best) ? o : best),
      undefined,
    );
}

/** Unit factors to the contract's units; an unlisted unit leaves the value unknown. */
/** A finite number within the contract's range, or undefined. */
const inRange = (value: number | undefined, min: number, max = Number.MAX_VALUE): number | undefined =>
  value !== undefined && Number.isFinite(value) && value >= min && value <= max ? value : undefined;

function inUnits(quantity: Quantity | undefined, factors: Readonly<Record<string, number>>): number | undefined {
  if (quantity?.value === undefined) return undefined;
  const factor = lookup(factors, quantity.code ?? quantity.unit);
  return factor === undefined ? undefined : inRange(Number((quantity.value * factor).toFixed(6)), 0);
}

const NG_PER_ML = { 'ng/mL': 1, 'ug/L': 1 };
const PER_MICROLITER = { '/uL': 1, '{cells}/uL': 1, '10*3/uL': 1000, '10^3/uL': 1000, '10*9/L': 1000, '10^9/L': 1000, '/mm3': 1 };
const ML_PER_MIN = { 'mL/min': 1 };

function pregnant(observation: Observation | undefined): boolean | undefined {
  const answer = observation?.valueCodeableConcept;
  if (hasCode(answer, SYSTEM.loinc, [LOINC_ANSWER.pregnant])) return true;
  if (hasCode(answer, SYSTEM.loinc, [LOINC_ANSWER.notPregnant])) return false;
  return undefined;
}

// ---------------------------------------------------------------------------------------- variants

const AMINO_ACIDS: Readonly<Record<string, string>> = {
  Ala: 'A',
  Arg: 'R',
  Asn: 'N',
  Asp: 'D',
  Cys: 'C',
  Gln: 'Q',
  Glu: 'E',
  Gly: 'G',
  His: 'H',
  Ile: 'I',
  Leu: 'L',
  Lys: 'K',
  Met: 'M',
  Phe: 'F',
  Pro: 'P',
  Ser: 'S',
  Thr: 'T',
  Trp: 'W',
  Tyr: 'Y',
  Val: 'V',
  Ter: '*',
};

/** "NP_000213.1:p.(Asp816Val)" or "p.D816V" -> "D816V"; anything else is returned as written. */
export function proteinChange(hgvs: string): string {
  const change = hgvs
    .replace(/^.*p\./, '')
    .replace(/[()]/g, '')
    .trim();
  return change.replace(/[A-Z][a-z]{2}/g, (three) => lookup(AMINO_ACIDS, three) ?? three);
}

function componentsWith(observation: Observation, loincCode: string): ObservationComponent[] {
  return (observation.component ?? []).filter((c) => hasCode(c.code, SYSTEM.loinc, [loincCode]));
}

function genesStudied(observation: Observation): string[] {
  return componentsWith(observation, LOINC.geneStudied).flatMap((c) => {
    const concept = c.valueCodeableConcept;
    const ids = codings(concept)
      .filter((cd) => cd.system && HGNC_SYSTEMS.includes(cd.system))
      .map((cd) => cd.code ?? '');
    return [...ids, ...namesOf(concept).map((n) => n.toUpperCase())];
  });
}

function aminoAcidChange(observation: Observation): string | undefined {
  const component = componentsWith(observation, LOINC.aminoAcidChange)[0];
  const text =
    component?.valueCodeableConcept?.coding?.[0]?.code ?? component?.valueCodeableConcept?.text ?? component?.valueString;
  return text ? proteinChange(text) : undefined;
}

function presence(observation: Observation): boolean | undefined {
  if (hasCode(observation.valueCodeableConcept, SYSTEM.loinc, [LOINC_ANSWER.present])) return true;
  if (hasCode(observation.valueCodeableConcept, SYSTEM.loinc, [LOINC_ANSWER.absent])) return false;
  return undefined;
}

const detection = (present: boolean) => (present ? 'detected' : 'not-detected');

/** The Genomics Reporting IG variant observations: KIT D816V, other KIT variants, FIP1L1-PDGFRA. */
function molecularFacts(observations: Observation[]): NonNullable<PatientFacts['molecular']> {
  const variants = observations
    .filter((o) => USABLE_STATUS.has(o.status) && hasCode(o.code, SYSTEM.loinc, [LOINC.geneticVariantAssessment]))
    .sort((a, b) => effectiveTime(a) - effectiveTime(b));
  const molecular: NonNullable<PatientFacts['molecular']> = {};
  const otherKit = new Set<string>();
  for (const variant of variants) {
    const present = presence(variant);
    if (present === undefined) continue;
    const genes = genesStudied(variant);
    const isKit = genes.includes(HGNC.KIT) || genes.includes('KIT');
    const isPdgfra = genes.includes(HGNC.PDGFRA) || genes.includes('PDGFRA');
    const namesFip1l1 =
      genes.some((g) => g.includes('FIP1L1')) ||
      componentsWith(variant, LOINC.variationCode).some((c) => mentions(c.valueCodeableConcept, 'fip1l1'));
    if (isPdgfra && namesFip1l1) {
      molecular.fip1l1Pdgfra = detection(present);
    } else if (isKit) {
      const change = aminoAcidChange(variant);
      if (change === 'D816V') molecular.kitD816V = detection(present);
      else if (change !== undefined && present) otherKit.add(change);
    }
  }
  if (otherKit.size > 0) molecular.kitOtherMutations = [...otherKit].sort();
  return molecular;
}

// ---------------------------------------------------------------------------------------- conditions, medications

function smSubtype(conditions: Condition[]): 'ASM' | 'MCL' | undefined {
  const active = conditions.filter(
    (c) => !codings(c.clinicalStatus).some((cd) => ['inactive', 'resolved', 'remission'].includes(cd.code ?? '')),
  );
  const subtypes = new Set(
    active.flatMap((c) =>
      codings(c.code)
        .filter((cd) => cd.system === SYSTEM.icd10cm)
        .map((cd) => lookup(ICD10CM_SUBTYPE, cd.code)),
    ),
  );
  subtypes.delete(undefined);
  // Two different subtypes on record is a contradiction for a clinician to resolve, not for us to pick.
  return subtypes.size === 1 ? [...subtypes][0] : undefined;
}

function strongInducersIn(requests: MedicationRequest[]): string[] {
  const found = new Set<string>();
  for (const request of requests.filter((r) => r.status === 'active')) {
    const concept = request.medicationCodeableConcept;
    for (const inducer of STRONG_CYP3A4_INDUCERS) {
      const byCode = inducer.rxnorm !== undefined && hasCode(concept, SYSTEM.rxnorm, [inducer.rxnorm]);
      const byName = [inducer.name.toLowerCase(), ...inducer.synonyms].some((n) => mentions(concept, n));
      if (byCode || byName) found.add(inducer.name);
    }
  }
  return [...found].sort();
}

// ---------------------------------------------------------------------------------------- all together

const compact = <T extends object>(section: T): T | undefined =>
  Object.values(section).some((v) => v !== undefined)
    ? (Object.fromEntries(Object.entries(section).filter(([, v]) => v !== undefined)) as T)
    : undefined;

/** Builds the PatientFacts for one imatinib draft order from what the EHR sent or we fetched. */
export function factsFromFhir(inputs: FhirInputs): PatientFacts {
  const observations = inputs.observations ?? [];
  const tryptase = latest(observations, LOINC.serumTryptase);
  const eosinophils = latest(observations, LOINC.eosinophilsAutomated, LOINC.eosinophils);
  const clearance =
    latest(observations, LOINC.creatinineClearanceCockcroftGault) ?? latest(observations, LOINC.creatinineClearance24h);

  const facts: PatientFacts = {
    patient: compact({
      ageYears: ageInYears(inputs.patient?.birthDate, inputs.now),
      sex: lookup(SEX, inputs.patient?.gender),
      pregnant: pregnant(latest(observations, LOINC.pregnancyStatus)),
      creatinineClearanceMlMin: inUnits(clearance?.valueQuantity, ML_PER_MIN),
    }),
    diagnosis: compact({ smSubtype: inputs.conditions ? smSubtype(inputs.conditions) : undefined }),
    molecular: compact(molecularFacts(observations)),
    labs: compact({
      serumTryptaseNgMl: inUnits(tryptase?.valueQuantity, NG_PER_ML),
      eosinophilsPerMicroliter: inUnits(eosinophils?.valueQuantity, PER_MICROLITER),
    }),
    medications: inputs.medications ? { strongCyp3a4Inducers: strongInducersIn(inputs.medications) } : undefined,
    order: orderFacts(inputs.order, inputs.otherDraftOrders),
  };
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)) as PatientFacts;
}

export type ReadResourceType = 'MedicationRequest' | 'Observation' | 'Patient' | 'Condition';

const readers: Readonly<Record<ReadResourceType | 'DraftMedicationRequest', typeof readable.Observation>> = {
  MedicationRequest: readable.MedicationRequest,
  DraftMedicationRequest: readable.DraftMedicationRequest,
  Observation: readable.Observation,
  Patient: readable.Patient,
  Condition: readable.Condition,
};

/**
 * The resources of one type in a Bundle (or a single resource), split into those this mapping can
 * read (their read elements have the types FHIR gives them: schemas/fhir-read-subset.schema.json)
 * and a count of those it cannot, which are never misread: what they would have said is unknown.
 */
export function readResources<T extends FhirResource>(
  value: unknown,
  resourceType: T['resourceType'] & ReadResourceType,
): { resources: T[]; unreadable: number } {
  if (!isObject(value)) return { resources: [], unreadable: 0 };
  const candidates =
    value.resourceType === 'Bundle'
      ? (Array.isArray(value.entry) ? value.entry : []).map((e) => (isObject(e) ? e.resource : undefined))
      : [value];
  const ofType = candidates.filter((r): r is Record<string, unknown> => isObject(r) && r.resourceType === resourceType);
  const resources = ofType.filter((r) => readers[resourceType](r)) as unknown as T[];
  return { resources, unreadable: ofType.length - resources.length };
}

/** The readable resources of one type (readResources), when the unreadable ones need no special care. */
export function resourcesOf<T extends FhirResource>(value: unknown, resourceType: T['resourceType'] & ReadResourceType): T[] {
  return readResources<T>(value, resourceType).resources;
}

/** Why a resource cannot be read, as field problems under `at` (for a draft order the EHR sent). */
export function unreadable(
  resource: unknown,
  resourceType: ReadResourceType | 'DraftMedicationRequest',
  at: string,
): FieldProblem[] {
  const validate = readers[resourceType];
  if (validate(resource)) return [];
  return describeSchemaErrors(validate.errors ?? [], resource).map((problem) => ({
    ...problem,
    path: problem.path.replace(/^\$/, at),
  }));
}
