import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { derivedFactsById, type ParamsContext } from '../../functions/core/derived-facts.js';
import { words, type ValueSet } from '../../functions/core/value-sets.js';
import { operatorFactTypes, operatorValueShapes } from '../../functions/core/operators.js';
import {
  childrenOf,
  isConditionReference,
  isFactCondition,
  type CompiledKnowledgeBase,
  type CompiledRule,
  type Condition,
  type KnowledgeBaseMetadata,
  type RuleDefinition,
  type SharedCondition,
  type WrittenCondition,
} from '../../functions/core/rule-definition.js';
import { checkCaseFiles } from './check-cases.js';
import { checkText } from './check-text.js';
import { deref, factSchemaAt, type SchemaNode } from './fact-schema.js';
import { ajvPath, describeAjvError, RuleFilesInvalidError, type RuleFileProblem } from './problems.js';
import { CONDITIONS_FILE, CONDITIONS_SCHEMA_FILE, KNOWLEDGE_BASE_FILE, RULE_SCHEMA_FILE, ruleFileNames } from './rule-files.js';
import { expandReferences, referenceCycles, referencesIn, type SharedConditions } from './shared-conditions.js';

/**
 * Build-time checks of the rule files: everything that would otherwise surface as a wrong answer
 * or a failed request is caught here, named by file, before a build or a test run can succeed.
 */

const KNOWLEDGE_BASE_SCHEMA_FILE = 'knowledge-base.schema.json';

const typeOfValue = (value: unknown) => (Array.isArray(value) ? 'array' : typeof value);

function checkValueAgainstFact(operator: string, value: unknown, fact: SchemaNode): string | undefined {
  const shape = operatorValueShapes[operator];
  const values = shape === 'list' ? (value as unknown[]) : [value];
  if (shape === 'boolean') return undefined;
  const target =
    fact.type === 'array' && (operator === 'contains' || operator === 'doesNotContain') ? deref(fact.items ?? {}) : fact;
  for (const v of values) {
    if (target.enum && !target.enum.includes(v)) {
      return `value ${JSON.stringify(v)} is not in the fact's value set (${target.enum.map((e) => JSON.stringify(e)).join(', ')})`;
    }
    if (target.type && !target.enum && typeOfValue(v) !== target.type) {
      return `value ${JSON.stringify(v)} is a ${typeOfValue(v)}; the fact is a ${String(target.type)}`;
    }
  }
  return undefined;
}

function checkValueShape(operator: string, value: unknown): string | undefined {
  const shape = operatorValueShapes[operator];
  const ok =
    shape === 'list'
      ? Array.isArray(value)
      : shape === 'number'
        ? typeof value === 'number'
        : shape === 'boolean'
          ? typeof value === 'boolean'
          : !Array.isArray(value);
  return ok ? undefined : `operator ${operator} needs a ${shape} value`;
}

/** What the checks of one rule's conditions know about the whole knowledge base. */
interface KnowledgeBaseContext {
  rulesById: ReadonlyMap<string, RuleDefinition>;
  params: ParamsContext;
  shared: SharedConditions;
}

/**
 * Checks a condition tree as written. `rule` is the rule it belongs to, or undefined for a shared
 * condition, which may not count rules (it has no priority of its own to be counted after).
 */
function checkConditions(
  condition: WrittenCondition,
  where: string,
  rule: RuleDefinition | undefined,
  kb: KnowledgeBaseContext,
  report: (where: string, problem: string) => void,
): void {
  if (isConditionReference(condition)) {
    if (!Object.hasOwn(kb.shared, condition.condition)) {
      report(`${where}.condition`, `unknown shared condition "${condition.condition}" (not in ${CONDITIONS_FILE})`);
    }
    return;
  }
  if (!isFactCondition(condition)) {
    if (condition.name !== undefined && Object.hasOwn(kb.shared, condition.name)) {
      report(
        `${where}.name`,
        `"${condition.name}" is the name of a shared condition: refer to it as {"condition": "${condition.name}"}`,
      );
    }
    const key = 'all' in condition ? 'all' : 'any';
    const seen = new Set<string>();
    childrenOf(condition).forEach((child, i) => {
      const text = JSON.stringify(child);
      if (seen.has(text)) report(`${where}.${key}[${i}]`, 'repeats an earlier condition of the same branch');
      seen.add(text);
      checkConditions(child, `${where}.${key}[${i}]`, rule, kb, report);
    });
    return;
  }
  const { fact, path: factPath, operator, value, params } = condition;
  if (!Object.hasOwn(operatorValueShapes, operator)) {
    report(`${where}.operator`, `unknown operator "${operator}" (known: ${Object.keys(operatorValueShapes).join(', ')})`);
    return;
  }
  const shapeProblem = checkValueShape(operator, value);
  if (shapeProblem) report(`${where}.value`, shapeProblem);
  if (operator !== 'known' && (value === 'unknown' || (Array.isArray(value) && value.includes('unknown')))) {
    report(
      `${where}.value`,
      `${operator} "unknown" is never true: an absent or "unknown" fact leaves every operator but known unknown; say known: false`,
    );
  }

  const derived = derivedFactsById.get(fact);
  const needs = operatorFactTypes[operator];
  if (derived) {
    if (needs !== undefined && derived.valueType !== needs) {
      report(`${where}.operator`, `operator ${operator} needs a ${needs} fact; ${fact} is a ${derived.valueType}`);
    }
    if (factPath !== undefined) report(`${where}.path`, `derived fact ${fact} takes params, not a path`);
    const paramsProblem = derived.checkParams(params, kb.params);
    if (paramsProblem) report(`${where}.params`, paramsProblem);
    for (const input of paramsProblem ? [] : derived.inputs(params!)) {
      if (!input.startsWith('ruleOutcomes.') && factSchemaAt(input) === undefined) {
        report(`${where}.params`, `unknown fact path "${input}" (not in schemas/patient-facts.schema.json)`);
      }
    }
    if (fact === 'countOfRules' && rule === undefined) {
      report(`${where}.fact`, 'a shared condition cannot count rules: write the count in the rule');
    } else if (fact === 'countOfRules' && rule !== undefined && !paramsProblem) {
      for (const id of (params as { rules: string[] }).rules) {
        const other = kb.rulesById.get(id);
        if (other && other.priority <= rule.priority) {
          report(
            `${where}.params.rules`,
            `${id} must have a higher priority than ${rule.name} to be decided before it is counted`,
          );
        }
      }
    }
    return;
  }
  if (params !== undefined) report(`${where}.params`, `fact ${fact} takes no params`);
  const dotted = [fact, ...(factPath ? factPath.slice(2).split('.') : [])].join('.');
  const schema = factSchemaAt(dotted);
  if (schema === undefined) {
    report(`${where}.fact`, `unknown fact path "${dotted}" (not in schemas/patient-facts.schema.json, nor a derived fact)`);
    return;
  }
  const factType = schema.type === 'array' ? 'list' : schema.type;
  if (needs !== undefined && factType !== needs) {
    report(
      `${where}.operator`,
      `operator ${operator} needs a ${needs} fact; ${dotted} is ${schema.enum ? 'a value of a value set' : `a ${String(factType)}`}`,
    );
  }
  if (!shapeProblem) {
    const valueProblem = checkValueAgainstFact(operator, value, schema);
    if (valueProblem) report(`${where}.value`, valueProblem);
  }
}

function conditionNames(condition: Condition): string[] {
  const own = condition.name ? [condition.name] : [];
  return isFactCondition(condition) ? own : [...own, ...childrenOf(condition).flatMap(conditionNames)];
}

/**
 * Each note, conditional evidence item or conditional action of a finding must name a condition of
 * its own rule, or it could never show.
 */
function checkWhens(rule: RuleDefinition, report: (where: string, problem: string) => void): void {
  // The rule as compiled: a shared condition's parts have names a note may use.
  const names = new Set(conditionNames(rule.conditions as Condition));
  const { notes, evidence, suggestedActions } = rule.event.params;
  const conditional: [string, { when?: string }[] | undefined][] = [
    ['notes', notes],
    ['evidence', evidence],
    ['suggestedActions', suggestedActions],
  ];
  for (const [key, items] of conditional) {
    (items ?? []).forEach(({ when }, i) => {
      if (when !== undefined && !names.has(when)) {
        report(`event.params.${key}[${i}].when`, `"${when}" is not the name of a condition of this rule`);
      }
    });
  }
}

/** Value sets: sources that exist, members named once, and list facts they validate that exist. */
function checkValueSets(
  valueSets: Readonly<Record<string, ValueSet>>,
  sources: Readonly<Record<string, unknown>>,
  report: (where: string, problem: string) => void,
): void {
  for (const [name, set] of Object.entries(valueSets)) {
    set.sources.forEach((source, i) => {
      if (!Object.hasOwn(sources, source)) report(`valueSets.${name}.sources[${i}]`, `unknown source "${source}"`);
    });
    set.members.forEach((member, i) => {
      (member.sources ?? []).forEach((source, j) => {
        if (!Object.hasOwn(sources, source))
          report(`valueSets.${name}.members[${i}].sources[${j}]`, `unknown source "${source}"`);
      });
    });
    // Names and synonyms name one member each; a brand may belong to several (a combination
    // counts as each of its ingredients), but never to a member and also name another.
    const named = new Set<string>();
    const branded = new Set<string>();
    set.members.forEach((member, i) => {
      const own = new Set<string>();
      const spellings: [string, 'name' | 'brand'][] = [
        ...[member.name, ...(member.synonyms ?? [])].map((s) => [s, 'name'] as [string, 'name']),
        ...(member.brands ?? []).map((s) => [s, 'brand'] as [string, 'brand']),
      ];
      for (const [spelling, kind] of spellings) {
        const key = words(spelling).join(' ');
        const where = `valueSets.${name}.members[${i}]`;
        if (key === '') report(where, `"${spelling}" has no words to match`);
        if (own.has(key)) report(where, `"${spelling}" is already a spelling of this member`);
        else if (named.has(key) || (kind === 'name' && branded.has(key))) {
          report(where, `"${spelling}" is already a name or synonym in this set`);
        }
        own.add(key);
      }
      for (const [spelling, kind] of spellings) (kind === 'name' ? named : branded).add(words(spelling).join(' '));
    });
    if (set.validates !== undefined) {
      const fact = factSchemaAt(set.validates);
      if (fact?.type !== 'array' || deref(fact.items ?? {}).type !== 'string') {
        report(`valueSets.${name}.validates`, `"${set.validates}" is not a list of strings in schemas/patient-facts.schema.json`);
      }
    }
  }
}

export interface RuleFiles {
  knowledgeBase: CompiledKnowledgeBase;
  files: string[];
}

/**
 * Reads and checks every rule file in `rulesDir`. Throws RuleFilesInvalidError naming each file and
 * problem; otherwise returns the knowledge base to embed, with the digest of its files.
 */
export function checkRuleFiles(rulesDir: string): RuleFiles {
  const problems: RuleFileProblem[] = [];
  const reportIn = (file: string) => (where: string, problem: string) => problems.push({ file, where, problem });
  const rel = (name: string) => path.join(path.basename(rulesDir), name);

  const readJson = (name: string): unknown => {
    try {
      return JSON.parse(readFileSync(path.join(rulesDir, name), 'utf8'));
    } catch (error) {
      reportIn(rel(name))('', `cannot be read as JSON: ${(error as Error).message}`);
      return undefined;
    }
  };

  const meta = readJson(KNOWLEDGE_BASE_FILE) as KnowledgeBaseMetadata | undefined;
  const metaSchema = readJson(KNOWLEDGE_BASE_SCHEMA_FILE) as object | undefined;
  const ruleSchema = readJson(RULE_SCHEMA_FILE) as object | undefined;
  const conditionsSchema = readJson(CONDITIONS_SCHEMA_FILE) as object | undefined;
  const conditionsFile = existsSync(path.join(rulesDir, CONDITIONS_FILE)) ? readJson(CONDITIONS_FILE) : { conditions: {} };
  if (!meta || !metaSchema || !ruleSchema || !conditionsSchema || conditionsFile === undefined) {
    throw new RuleFilesInvalidError(problems);
  }

  const ajv = new Ajv2020({ allErrors: true, strict: false });
  // The rule schema first: the shared conditions' schema refers to its definitions.
  const validateRule = ajv.compile<RuleDefinition>(ruleSchema);
  const validateShared = ajv.compile<{ conditions: Record<string, SharedCondition> }>(conditionsSchema);
  if (!validateShared(conditionsFile)) {
    for (const error of validateShared.errors ?? []) reportIn(rel(CONDITIONS_FILE))(ajvPath(error), describeAjvError(error));
    throw new RuleFilesInvalidError(problems);
  }
  const shared: SharedConditions = conditionsFile.conditions;
  const validateMeta = ajv.compile<KnowledgeBaseMetadata>(metaSchema);
  if (!validateMeta(meta)) {
    for (const error of validateMeta.errors ?? []) reportIn(rel(KNOWLEDGE_BASE_FILE))(ajvPath(error), describeAjvError(error));
    throw new RuleFilesInvalidError(problems);
  }
  if (meta.status === 'active' && (meta.lastReviewed === null || meta.reviewedBy === null)) {
    reportIn(rel(KNOWLEDGE_BASE_FILE))(
      'status',
      'status active needs the clinical review it rests on: set lastReviewed (a date) and reviewedBy (a role)',
    );
  }
  if (meta.changelog[0]!.version !== meta.version) {
    reportIn(rel(KNOWLEDGE_BASE_FILE))('changelog[0].version', `the newest changelog entry must be for version ${meta.version}`);
  }

  const files = ruleFileNames(rulesDir);

  const rules: { file: string; rule: RuleDefinition }[] = [];
  const seenIds = new Map<string, string>();
  for (const name of files) {
    const report = reportIn(rel(name));
    const parsed = readJson(name);
    if (parsed === undefined) continue;
    if (!validateRule(parsed)) {
      for (const error of validateRule.errors ?? []) report(ajvPath(error), describeAjvError(error));
      continue;
    }
    const rule = parsed;
    const id = name.replace(/\.json$/, '');
    if (rule.name !== id) report('name', `rule name "${rule.name}" must equal the file name "${id}"`);
    if (rule.event.type !== rule.name)
      report('event.type', `event type "${rule.event.type}" must equal the rule name "${rule.name}"`);
    const firstFile = seenIds.get(rule.name);
    if (firstFile) report('name', `duplicate rule id "${rule.name}" (also in ${firstFile})`);
    else seenIds.set(rule.name, rel(name));
    rule.event.params.evidence.forEach((evidence, i) => {
      const source = meta.sources[evidence.source];
      if (!source) {
        report(`event.params.evidence[${i}].source`, `unknown source "${evidence.source}" (not in ${KNOWLEDGE_BASE_FILE})`);
      } else if (source.citation !== evidence.citation || source.pmid !== evidence.pmid || source.url !== evidence.url) {
        report(
          `event.params.evidence[${i}]`,
          `citation, pmid and url must match source "${evidence.source}" in ${KNOWLEDGE_BASE_FILE}`,
        );
      }
    });
    rules.push({ file: rel(name), rule });
  }

  const rulesById = new Map(rules.map(({ rule }) => [rule.name, rule]));
  const valueSets = meta.valueSets ?? {};
  const kb: KnowledgeBaseContext = {
    rulesById,
    params: { ruleIds: new Set(rulesById.keys()), valueSets },
    shared,
  };
  const reportShared = reportIn(rel(CONDITIONS_FILE));
  for (const [name, condition] of Object.entries(shared)) {
    checkConditions(condition as WrittenCondition, `conditions["${name}"]`, undefined, kb, reportShared);
  }
  const cycles = referenceCycles(shared);
  for (const cycle of cycles) {
    reportShared(`conditions["${cycle[0]}"]`, `refers to itself: ${cycle.map((n) => `"${n}"`).join(' -> ')}`);
  }
  for (const { file, rule } of rules)
    checkConditions(rule.conditions as WrittenCondition, 'conditions', rule, kb, reportIn(file));
  const written = [...Object.values(shared), ...rules.map(({ rule }) => rule.conditions)] as WrittenCondition[];
  if (cycles.length === 0 && written.every((c) => referencesIn(c).every((name) => Object.hasOwn(shared, name)))) {
    // References are sound: every rule is checked further, and compiled, whole.
    for (const entry of rules) {
      entry.rule = {
        ...entry.rule,
        conditions: expandReferences(entry.rule.conditions as WrittenCondition, shared) as RuleDefinition['conditions'],
      };
      checkWhens(entry.rule, reportIn(entry.file));
      checkText(entry.rule, reportIn(entry.file));
    }
  }
  checkValueSets(valueSets, meta.sources, reportIn(rel(KNOWLEDGE_BASE_FILE)));
  (meta.unconfirmed ?? []).forEach((item, i) => {
    const unknownRule = item.rules.find((id) => !rulesById.has(id));
    if (unknownRule) reportIn(rel(KNOWLEDGE_BASE_FILE))(`unconfirmed[${i}].rules`, `there is no rule ${unknownRule}`);
  });
  problems.push(...checkCaseFiles(rulesDir, new Set(rulesById.keys()), valueSets));
  if (problems.length > 0) throw new RuleFilesInvalidError(problems);

  // Evidence is embedded by source key: each citation, PMID and URL is then in the bundle once.
  const embedded: CompiledRule[] = rules
    .map(({ rule }) => {
      const { $schema: _schema, ...definition } = rule as RuleDefinition & { $schema?: string };
      const evidence = definition.event.params.evidence.map(({ source, statement, section, revision, when }) => ({
        source,
        statement,
        ...(section ? { section } : {}),
        ...(revision ? { revision } : {}),
        ...(when ? { when } : {}),
      }));
      return { ...definition, event: { ...definition.event, params: { ...definition.event.params, evidence } } };
    })
    .sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));

  const { $schema: _schema, ...metadata } = meta as KnowledgeBaseMetadata & { $schema?: string };
  return {
    files: files.map(rel),
    knowledgeBase: {
      ...metadata,
      digest: digestOf(rulesDir),
      rules: embedded,
      ...(Object.keys(shared).length > 0 ? { sharedConditions: shared } : {}),
    },
  };
}

/**
 * sha256 over the knowledge base's files (knowledge-base.json, conditions.json and every rule file,
 * not the schemas nor the cases), in name order, each as its name, a NUL, its bytes and a NUL: any
 * change to any rule, shared condition, source or value set changes the digest.
 */
export function digestOf(rulesDir: string): string {
  const hash = createHash('sha256');
  const shared = existsSync(path.join(rulesDir, CONDITIONS_FILE)) ? [CONDITIONS_FILE] : [];
  const names = [KNOWLEDGE_BASE_FILE, ...shared, ...ruleFileNames(rulesDir)].sort();
  for (const name of names) {
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(path.join(rulesDir, name)))
      .update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}
