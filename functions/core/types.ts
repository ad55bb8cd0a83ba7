/**
 * The public contract (shared/spec/facts.md, v3): the patient facts in and the findings out.
 * `schemas/patient-facts.schema.json` is the validating twin of `PatientFacts`; a test keeps the
 * two in step.
 */

export type Detection = 'detected' | 'not-detected' | 'unknown';
export type EndpointChange = 'improved' | 'unchanged' | 'worsened' | 'absent';

export interface EndpointMeasures {
  serumTryptaseNgMl?: number;
  /** Any unit, the same in baseline and current. */
  urinaryNMethylhistamine?: number;
  boneMarrowMastCellPercent?: number;
}

/** Request body of `POST /evaluate` and argument of `evaluate()`. Absent means "not known". */
export interface PatientFacts {
  patient?: {
    ageYears?: number;
    sex?: 'female' | 'male' | 'other' | 'unknown';
    pregnant?: boolean;
    /** false silences contraception counselling. */
    reproductivePotential?: boolean;
    /** Cockcroft-Gault, mL/min. */
    creatinineClearanceMlMin?: number;
    /** Graded as the label's hepatic-impairment study graded it. */
    hepaticImpairment?: 'none' | 'mild' | 'moderate' | 'severe' | 'unknown';
  };
  diagnosis?: {
    smSubtype?: 'ISM' | 'BMM' | 'SSM' | 'ASM' | 'SM-AHN' | 'MCL' | 'unknown';
  };
  molecular?: {
    kitD816V?: Detection;
    /**
     * Other KIT variants found, protein notation ("F522C", "K509I", ...); HGVS forms ("p.Phe522Cys")
     * are accepted and normalised to the one-letter form. [] means none found.
     */
    kitOtherMutations?: string[];
    fip1l1Pdgfra?: Detection;
  };
  labs?: {
    serumTryptaseNgMl?: number;
    /** Absolute eosinophil count, cells/uL. */
    eosinophilsPerMicroliter?: number;
    /** Absolute neutrophil count (ANC), cells/uL. */
    neutrophilsPerMicroliter?: number;
    /** Platelets, cells/uL. */
    plateletsPerMicroliter?: number;
    /** Total bilirubin / the lab's upper limit of normal. */
    bilirubinTimesUln?: number;
    /** ALT / upper limit of normal. */
    altTimesUln?: number;
    /** AST / upper limit of normal. */
    astTimesUln?: number;
  };
  cardiac?: {
    echocardiogram?: 'normal' | 'abnormal' | 'not-done';
    troponin?: 'normal' | 'elevated' | 'not-done';
  };
  medications?: {
    /** Generic names of every drug taken now, imatinib aside; [] means none. */
    active?: string[];
    /**
     * v3: the patient has taken imatinib before, in any earlier course (completed, stopped, held).
     * true with a start is a restart; false means never (a first start).
     */
    imatinibBefore?: boolean;
    /**
     * v3: medications recorded without a code whose names match nothing the knowledge base knows;
     * [] means every medication was identified.
     */
    unidentified?: string[];
    /**
     * @deprecated v1: use `active`. Still accepted: each entry must be in one of the knowledge base's
     * inducer value sets, and it counts as active.
     */
    strongCyp3a4Inducers?: string[];
  };
  /** The imatinib order being placed or already active. */
  order?: {
    /** "imatinib", "imatinib mesylate", "gleevec" or "glivec", in any case. */
    drug: string;
    dailyDoseMg?: number;
    status?: 'proposed' | 'active';
    /** true: not on imatinib now (a first start or a restart); false: a renewal, refill or dose change. */
    startsTherapy?: boolean;
    prednisoneCoTherapy?: boolean;
  };
  /** Present once the patient is on imatinib. */
  treatmentCourse?: {
    monthsOnImatinib?: number;
    baseline?: EndpointMeasures;
    current?: EndpointMeasures;
    skinLesions?: EndpointChange;
    hepatosplenomegaly?: EndpointChange;
    /** "improved" includes resolved. */
    symptoms?: EndpointChange;
  };
}

export type Category = 'therapy-selection' | 'order-check' | 'monitoring' | 'response';
export type Indicator = 'info' | 'warning' | 'critical';

export interface Evidence {
  citation: string;
  /** PubMed id, or null for a label or guideline without one. */
  pmid: string | null;
  url: string;
  /** What this source says that supports the finding. */
  statement: string;
  /** The section of the source the statement was read from (for the label: number and title). */
  section?: string;
  /** The revision or year of the text the statement was read from. */
  revision?: string;
}

/**
 * An action the knowledge base suggests on the order, kept free of FHIR: the CDS Hooks adapter
 * turns it into a suggestion on the draft order (an update of its dose, or its deletion).
 */
export type SuggestedAction =
  { kind: 'set-daily-dose'; label: string; dailyDoseMg: number } | { kind: 'cancel-order'; label: string };

/** A leaf of the evaluated condition tree. `result` is null when the fact was not known. */
export interface EvaluatedFactCondition {
  name: string;
  /** Dotted fact path, or the name of a derived fact (then with its `params`). */
  fact: string;
  params?: Record<string, unknown>;
  operator: string;
  expected: unknown;
  actual: unknown;
  result: boolean | null;
}

/** A branch of the evaluated condition tree: `all` or `any` of its conditions. */
export interface EvaluatedBooleanCondition {
  name?: string;
  operator: 'all' | 'any';
  result: boolean | null;
  conditions: EvaluatedCondition[];
}

export type EvaluatedCondition = EvaluatedFactCondition | EvaluatedBooleanCondition;

export interface Rationale {
  /** Why the rule fired, in words. */
  text: string;
  /** Every fact value the rule read, by dotted path; null means the fact was not provided. */
  facts: Record<string, unknown>;
  conditions: EvaluatedBooleanCondition;
}

export interface Finding {
  ruleId: string;
  category: Category;
  indicator: Indicator;
  summary: string;
  detail: string;
  /** Empty only for a finding about the record itself, which then says why in `noSource`. */
  evidence: Evidence[];
  /** Present when the finding cites no source: it is a statement about the record, not about the patient. */
  noSource?: string;
  rationale: Rationale;
  suggestedActions?: SuggestedAction[];
}

export interface MissingFact {
  fact: string;
  neededBy: string[];
  /**
   * Entries of the record that could not be read and may hold this fact (beside
   * `molecular.kitD816V`: KIT variants in a notation that could not be read), quoted with letters,
   * digits, spaces and `. : > + / = -` only.
   */
  unreadableEntries?: string[];
}

export interface KnowledgeBaseInfo {
  id: string;
  version: string;
  /** sha256 over the knowledge-base files built in (docs/rules.md). */
  digest: string;
  /** draft: not approved by a clinical review; active: approved; retired: no longer to be used. */
  status: 'draft' | 'active' | 'retired';
  /** Date (YYYY-MM-DD) of the last clinical review; null when no clinician has reviewed it. */
  lastReviewed: string | null;
  /** Present when the status is not active: says so, with the date the next review is due. */
  warnings?: string[];
}

/** Response body of `POST /evaluate` and result of `evaluate()`. */
export interface EvaluationResult {
  knowledgeBase: KnowledgeBaseInfo;
  findings: Finding[];
  missingFacts: MissingFact[];
}
