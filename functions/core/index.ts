/**
 * In-process entry point for embedding: `import { evaluate } from 'imatinib-sm-cds'`.
 * Free of AWS, HTTP and CDS Hooks code.
 */
export {
  createEvaluator,
  evaluate,
  evaluateWithOutcomes,
  INDICATOR_RANK,
  knowledgeBaseInfo,
  type EvaluationWithOutcomes,
  type Evaluator,
} from './evaluate.js';
export type { CompiledKnowledgeBase } from './rule-definition.js';
export type { RuleOutcome } from './three-valued.js';
export { knowledgeBaseValueSets, namesAValueSetMember, ruleKinds, sourceLabel, valueSetMembers } from './knowledge-base.js';
export { memberNamed, type CodedMember, type ValueSet, type ValueSetMember } from './value-sets.js';
export { InvalidPatientFactsError, type FactProblem, type FieldProblem } from './validate-facts.js';
// For the adapters (the HTTP, CDS Hooks and FHIR code reaches the core through this module only).
export { describeErrors as describeSchemaErrors } from './validate-facts.js';
export { isObject } from './json-values.js';
export { readKitVariant, type KitVariant } from './normalise-facts.js';
export { markdownEntries } from './finding-text.js';
export type * from './types.js';
