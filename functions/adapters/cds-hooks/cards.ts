import { createHash } from 'node:crypto';
import type { MedicationRequest } from 'fhir/r4';
import { knowledgeBaseInfo, sourceLabel, type Finding, type MissingFact } from '../../core/index.js';
import { HUNDRED_MG_COUNTERPART, SYSTEM } from '../fhir/codes.js';
import { lookup } from '../fhir/lookup.js';
import { factLabel } from './fact-labels.js';

/** CDS Hooks 2.0 card types (only what this service sends). */
export interface Coding {
  system: string;
  code: string;
  display: string;
}

export interface CardAction {
  type: 'create' | 'update' | 'delete';
  description: string;
  resource?: MedicationRequest;
  /** For `delete`: a relative reference to the resource (CDS Hooks 2.0). */
  resourceId?: string;
}

export interface Suggestion {
  label: string;
  uuid: string;
  isRecommended?: boolean;
  actions: CardAction[];
}

export interface Card {
  uuid: string;
  summary: string;
  detail: string;
  indicator: 'info' | 'warning' | 'critical';
  source: { label: string; url?: string; topic?: Coding };
  suggestions?: Suggestion[];
  selectionBehavior?: 'at-most-one' | 'any';
  overrideReasons?: Coding[];
}

const RULE_TOPIC_SYSTEM = 'urn:imatinib-sm-cds:rule';
const OVERRIDE_REASON_SYSTEM = 'urn:imatinib-sm-cds:override-reason';

/** Offered on warning and critical cards, so an override says why. */
const OVERRIDE_REASONS: readonly Coding[] = [
  { system: OVERRIDE_REASON_SYSTEM, code: 'benefit-outweighs-risk', display: 'Benefit outweighs the risk for this patient' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'already-addressed', display: 'Already addressed (tested, adjusted or monitored)' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'data-not-current', display: 'The patient data behind this card is not current' },
  {
    system: OVERRIDE_REASON_SYSTEM,
    code: 'patient-declined',
    display: 'Discussed with the patient, who declined the alternative',
  },
];

/**
 * A name-based (version 5 style) UUID: the same hook instance and rule always give the same card
 * uuid, so a retried call and its feedback refer to the same card.
 */
function stableUuid(...parts: string[]): string {
  const bytes = createHash('sha1').update(parts.join('\u0000')).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A card's source label, marked "(draft)" (or "(retired)") while the knowledge base is not approved
 * for use, so the clinician sees it on the card itself (knowledge-base spec, metadata).
 */
function sourceLabelOf(label: string): string {
  return knowledgeBaseInfo.status === 'active' ? label : `${label} (${knowledgeBaseInfo.status})`;
}

function evidenceMarkdown(finding: Finding): string {
  return finding.evidence
    .map((e) => {
      const where = [e.section && `section ${e.section}`, e.revision && `${e.revision} text`].filter(Boolean).join(', ');
      return `- [${e.citation}](${e.url})${e.pmid ? ` (PMID ${e.pmid})` : ''}${where ? ` (${where})` : ''}: ${e.statement}`;
    })
    .join('\n');
}

function detailOf(finding: Finding): string {
  return `${finding.detail}\n\n**Why this card:** ${finding.rationale.text}\n\n**Evidence**\n\n${evidenceMarkdown(finding)}`;
}

/** The draft order, changed to 100 mg once daily (and to the 100 mg tablet when it named the 400 mg one). */
function withDailyDose(order: MedicationRequest, dailyDoseMg: number): MedicationRequest {
  const coding = order.medicationCodeableConcept?.coding?.map((c) =>
    c.system === SYSTEM.rxnorm && lookup(HUNDRED_MG_COUNTERPART, c.code)
      ? { ...c, ...lookup(HUNDRED_MG_COUNTERPART, c.code) }
      : c,
  );
  const route = order.dosageInstruction?.[0]?.route;
  return {
    ...structuredClone(order),
    ...(order.medicationCodeableConcept
      ? { medicationCodeableConcept: { ...order.medicationCodeableConcept, ...(coding ? { coding } : {}) } }
      : {}),
    dosageInstruction: [
      {
        text: `${dailyDoseMg} mg once daily`,
        ...(route ? { route } : {}),
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
        doseAndRate: [{ doseQuantity: { value: dailyDoseMg, unit: 'mg', system: SYSTEM.ucum, code: 'mg' } }],
      },
    ],
  };
}

/** What a card needs to know of the call it answers. */
export interface CardContext {
  hookInstance: string;
  patientId: string;
}

/**
 * The knowledge base's suggested actions as CDS Hooks suggestions on the draft order: a dose change
 * is an `update` of the whole draft, a cancellation a `delete` of it (CDS Hooks 2.0, Action). A draft
 * without an id cannot be referred to, so it gets no delete suggestion.
 */
function suggestionsFor(finding: Finding, order: MedicationRequest, cardUuid: string): Suggestion[] {
  return (finding.suggestedActions ?? []).flatMap((action, i): Suggestion[] => {
    const uuid = stableUuid(cardUuid, 'suggestion', String(i));
    if (action.kind === 'set-daily-dose') {
      const description = `Change the imatinib order to ${action.dailyDoseMg} mg once daily`;
      return [
        {
          label: action.label,
          uuid,
          actions: [{ type: 'update', description, resource: withDailyDose(order, action.dailyDoseMg) }],
        },
      ];
    }
    if (order.id === undefined) return [];
    const description = 'Remove the draft imatinib order';
    return [
      { label: action.label, uuid, actions: [{ type: 'delete', description, resourceId: `MedicationRequest/${order.id}` }] },
    ];
  });
}

/**
 * The card for one finding about one imatinib draft order. Its uuid is stable for the hook instance
 * and rule, and for the order too when the finding is about the order: a patient-level finding is
 * then one card however many imatinib orders the draft holds.
 */
export function cardFor(finding: Finding, order: MedicationRequest, call: CardContext): Card {
  const primary = finding.evidence[0]!;
  const uuid = stableUuid(call.hookInstance, finding.category === 'order-check' ? (order.id ?? '') : '', finding.ruleId);
  const suggestions = suggestionsFor(finding, order, uuid);
  return {
    uuid,
    summary: finding.summary,
    detail: detailOf(finding),
    indicator: finding.indicator,
    source: {
      label: sourceLabelOf(sourceLabel(primary)),
      url: primary.url,
      topic: { system: RULE_TOPIC_SYSTEM, code: finding.ruleId, display: finding.ruleId },
    },
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
    ...(finding.indicator !== 'info' ? { overrideReasons: [...OVERRIDE_REASONS] } : {}),
  };
}

/** One card listing what was not known and which checks it would have decided. */
export function missingFactsCard(missing: readonly MissingFact[], call: CardContext): Card {
  const first = factLabel(missing[0]!.fact);
  const rest = missing.length - 1;
  const summary =
    rest > 0
      ? `Not on record: ${first} and ${rest} more fact(s) that would decide further imatinib checks`
      : `Not on record: ${first}, which would decide further imatinib checks`;
  const lines = missing.map(
    (m) => `- **${factLabel(m.fact)}** (\`${m.fact}\`): would decide ${m.neededBy.map((id) => `\`${id}\``).join(', ')}`,
  );
  return {
    uuid: stableUuid(call.hookInstance, 'missing-facts'),
    summary: summary.length < 140 ? summary : `Not on record: ${missing.length} facts that would decide further imatinib checks`,
    detail: `These checks could not be decided, because a fact they need is not on record. Consider obtaining:\n\n${lines.join('\n')}\n\nUnknown facts are never taken as "no".`,
    indicator: 'info',
    source: { label: sourceLabelOf(`${knowledgeBaseInfo.id} knowledge base ${knowledgeBaseInfo.version}`) },
  };
}
