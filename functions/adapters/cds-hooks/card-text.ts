import {
  knowledgeBaseInfo,
  markdownEntries,
  sourceLabel,
  type Finding,
  type Indicator,
  type MissingFact,
  type SuggestedAction,
} from '../../core/index.js';
import { factLabel } from './fact-labels.js';

/**
 * The words of the CDS Hooks cards: everything a card says, without what ties it to one EHR call
 * (its uuid) and one draft order (the FHIR resources its suggestions change). cards.ts adds those;
 * the review console shows these as they are, so a clinician reviewing the knowledge base reads
 * exactly what the EHR will show. No Node built-in here: it runs in the browser too.
 */

/** A suggestion as the EHR shows it: its button label and what accepting it does to the draft order. */
export interface CardSuggestion {
  label: string;
  description: string;
}

export interface Coding {
  system: string;
  code: string;
  display: string;
}

/**
 * A CDS Hooks card without what ties it to one EHR call (its uuid) and one draft order (the FHIR
 * resources its suggestions change): the `Card` of cards.ts, field for field.
 */
export interface CardText {
  summary: string;
  detail: string;
  indicator: Indicator;
  source: { label: string; url?: string; topic?: Coding };
  suggestions?: CardSuggestion[];
  selectionBehavior?: 'at-most-one' | 'any';
  overrideReasons?: Coding[];
}

const RULE_TOPIC_SYSTEM = 'urn:imatinib-sm-cds:rule';
export const OVERRIDE_REASON_SYSTEM = 'urn:imatinib-sm-cds:override-reason';

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

/** The codes of the override reasons cards offer: the only reason codes feedback is kept with. */
export const OVERRIDE_REASON_CODES: readonly string[] = OVERRIDE_REASONS.map((reason) => reason.code);

/**
 * A card's source label, marked "(draft)" (or "(retired)") while the knowledge base is not approved
 * for use, so the clinician sees it on the card itself (knowledge-base spec, metadata).
 */
function sourceLabelOf(label: string): string {
  return knowledgeBaseInfo.status === 'active' ? label : `${label} (${knowledgeBaseInfo.status})`;
}

/** The knowledge base itself, as the source of a card that cites none (missing facts, a finding about the record). */
const KNOWLEDGE_BASE_LABEL = `${knowledgeBaseInfo.id} knowledge base ${knowledgeBaseInfo.version}`;

function evidenceMarkdown(finding: Finding): string {
  if (finding.evidence.length === 0) return `No source is cited: ${finding.noSource ?? 'none applies'}`;
  return finding.evidence
    .map((e) => {
      const where = [e.section && `section ${e.section}`, e.revision && `${e.revision} text`].filter(Boolean).join(', ');
      return `- [${e.citation}](${e.url})${e.pmid ? ` (PMID ${e.pmid})` : ''}${where ? ` (${where})` : ''}: ${e.statement}`;
    })
    .join('\n');
}

/** A suggested action of the knowledge base as its CDS Hooks suggestion reads. */
export function suggestionOfAction(action: SuggestedAction): CardSuggestion {
  return {
    label: action.label,
    description:
      action.kind === 'set-daily-dose'
        ? `Change the imatinib order to ${action.dailyDoseMg} mg once daily`
        : 'Remove the draft imatinib order',
  };
}

/**
 * The card of one finding, each suggested action as its suggestion reads (cards.ts leaves out a
 * cancellation when the draft order has no id to refer to).
 */
export function cardOfFinding(finding: Finding): CardText {
  // A finding about the record cites no source; its card names the knowledge base instead (a card needs a source).
  const primary = finding.evidence[0];
  const suggestions = (finding.suggestedActions ?? []).map(suggestionOfAction);
  return {
    summary: finding.summary,
    detail: `${finding.detail}\n\n**Why this card:** ${finding.rationale.text}\n\n**Evidence**\n\n${evidenceMarkdown(finding)}`,
    indicator: finding.indicator,
    source: {
      label: sourceLabelOf(primary ? sourceLabel(primary) : KNOWLEDGE_BASE_LABEL),
      ...(primary ? { url: primary.url } : {}),
      topic: { system: RULE_TOPIC_SYSTEM, code: finding.ruleId, display: finding.ruleId },
    },
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
    ...(finding.indicator !== 'info' ? { overrideReasons: [...OVERRIDE_REASONS] } : {}),
  };
}

/** The one card that lists what was not known and which checks it would have decided. */
export function cardOfMissingFacts(missing: readonly MissingFact[]): CardText {
  const first = factLabel(missing[0]!.fact);
  const rest = missing.length - 1;
  const summary =
    rest > 0
      ? `Not on record: ${first} and ${rest} more fact(s) that would decide further imatinib checks`
      : `Not on record: ${first}, which would decide further imatinib checks`;
  const lines = missing.map(
    (m) =>
      `- **${factLabel(m.fact)}** (\`${m.fact}\`): would decide ${m.neededBy.map((id) => `\`${id}\``).join(', ')}${
        m.unreadableEntries ? `; entries that could not be read: ${markdownEntries(m.unreadableEntries)}` : ''
      }`,
  );
  return {
    summary: summary.length < 140 ? summary : `Not on record: ${missing.length} facts that would decide further imatinib checks`,
    detail: `These checks could not be decided, because a fact they need is not on record. Consider obtaining:\n\n${lines.join('\n')}\n\nUnknown facts are never taken as "no".`,
    indicator: 'info',
    source: { label: sourceLabelOf(KNOWLEDGE_BASE_LABEL) },
  };
}
