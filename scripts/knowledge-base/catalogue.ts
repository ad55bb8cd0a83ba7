import type { CompiledKnowledgeBase, WrittenCondition } from '../../functions/core/rule-definition.js';
import { childrenOf, isConditionReference, isFactCondition } from '../../functions/core/rule-definition.js';
import type { RuleCaseFile } from './check-cases.js';
import type { SilenceReport } from './silence.js';

/**
 * docs/rules.md, written by `npm run generate` from the rule files: the knowledge base as a
 * clinician reviews it. Every rule with its id, category, indicator, when it applies and fires (the
 * names of its conditions), what it says, its sources with links and its number of cases, and for
 * each critical and warning rule what keeps it silent (each change with the case that shows it); every
 * value set with its members; the sources; what could not be confirmed; the changelog.
 */

const INDICATORS = ['critical', 'warning', 'info'] as const;
const CATEGORIES = ['therapy-selection', 'order-check', 'monitoring', 'response'] as const;

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

/** The anchor of a shared condition's entry in the catalogue. */
const sharedAnchor = (name: string) => `shared-${name.replace(/[^a-z0-9]+/g, '-')}`;

/** What the condition lines of one rule know: value sets to link, shared condition names, named branches shown. */
interface LineContext {
  valueSets: ReadonlySet<string>;
  shared: ReadonlySet<string>;
  shown: Set<string>;
}

/**
 * A condition tree as nested bullets: the words of each condition, "all of" / "any of" for
 * branches. A shared condition is shown by its name, linked to its entry; a named branch already
 * shown for the same rule is shown again by its name only.
 */
function conditionLines(condition: WrittenCondition, depth: number, context: LineContext): string[] {
  const indent = '  '.repeat(depth);
  const sharedName = isConditionReference(condition)
    ? condition.condition
    : isFactCondition(condition)
      ? undefined
      : condition.name;
  if (sharedName !== undefined && context.shared.has(sharedName)) {
    return [`${indent}- *${sharedName}* ([shared condition](#${sharedAnchor(sharedName)}))`];
  }
  if (isConditionReference(condition)) return [`${indent}- ${condition.condition}`];
  if (isFactCondition(condition)) {
    const set = condition.params?.valueSet;
    const link = typeof set === 'string' && context.valueSets.has(set) ? ` (value set [\`${set}\`](#value-set-${set}))` : '';
    return [`${indent}- ${condition.name}${link}`];
  }
  const children = childrenOf(condition);
  const word = 'all' in condition ? 'all of' : 'any of';
  if (condition.name && context.shown.has(condition.name)) return [`${indent}- ${condition.name} (as above)`];
  if (condition.name) context.shown.add(condition.name);
  const head = condition.name ? `${condition.name}: ${word}` : word;
  if (children.length === 1 && !condition.name) return conditionLines(children[0]!, depth, context);
  return [`${indent}- ${head}`, ...children.flatMap((child) => conditionLines(child, depth + 1, context))];
}

function branchLines(branch: WrittenCondition | undefined, none: string, context: LineContext): string[] {
  if (!branch || (!isFactCondition(branch) && !isConditionReference(branch) && childrenOf(branch).length === 0))
    return [`- ${none}`];
  if (isFactCondition(branch) || isConditionReference(branch)) return conditionLines(branch, 0, context);
  const children = childrenOf(branch);
  if ('any' in branch) return conditionLines({ any: children }, 0, context);
  return children.flatMap((child) => conditionLines(child, 0, context));
}

/** The README's one line about what could not be confirmed: how many statements, and where the list is. */
export function unconfirmedSummary(kb: Pick<CompiledKnowledgeBase, 'unconfirmed'>): string {
  const count = kb.unconfirmed?.length ?? 0;
  return `${count} statement${count === 1 ? '' : 's'} the specification asked for could not be confirmed in a readable source, so no finding states them: [the list](docs/rules.md#not-confirmed-so-not-stated).`;
}

/** What could not be confirmed, one Markdown bullet each: the rules concerned, the statement, its source. */
export function unconfirmedList(kb: Pick<CompiledKnowledgeBase, 'unconfirmed'>): string[] {
  return (kb.unconfirmed ?? []).map(
    (item) =>
      `- ${item.rules.length > 0 ? `${item.rules.map((r) => `\`${r}\``).join(', ')}: ` : ''}${item.statement} (${item.source})`,
  );
}

/**
 * The value-set members as docs/fhir-codes.md lists them, between its generated markers: every
 * member's RxNorm ingredient code (or that none was confirmed), brands and the sources they were
 * read in, by value set.
 */
export function valueSetCodeLines(kb: Pick<CompiledKnowledgeBase, 'valueSets' | 'sources'>): string[] {
  const lines = [
    'Written by `npm run generate` from `rules/knowledge-base.json` (its `valueSets`); the FHIR mapping reads the same codes through `valueSetMembers` of the core. A member without a confirmed code is matched by its name, synonyms and brands only.',
    '',
    '| RxNorm | member | value set | brands | read in |',
    '| ------ | ------ | --------- | ------ | ------- |',
  ];
  const cited = new Set<string>();
  for (const [name, set] of Object.entries(kb.valueSets ?? {})) {
    for (const member of set.members) {
      for (const key of member.sources ?? []) cited.add(key);
      lines.push(
        `| ${member.rxnorm ?? 'not confirmed'} | ${member.name} | \`${name}\` | ${escapeCell((member.brands ?? []).join(', '))} | ${(member.sources ?? []).join(', ')} |`,
      );
    }
  }
  lines.push('', ...[...cited].sort().map((key) => `- **${key}**: [${kb.sources[key]!.label}](${kb.sources[key]!.url})`));
  return lines;
}

/**
 * "What keeps it silent": every single-fact change that turns a firing case of the rule silent or
 * undecided, with the case that shows it (scripts/knowledge-base/silence.ts).
 */
function silenceLines(ruleId: string, silence: SilenceReport): string[] {
  const changes = silence.get(ruleId);
  if (changes === undefined) return [];
  const lines = ['', '**What keeps it silent**', ''];
  if (changes.length === 0)
    return [...lines, '- Nothing found: no single change of a fact turns a firing case silent or undecided.'];
  lines.push(
    'Each change of one fact that turns a firing case silent or undecided, and the case that shows it.',
    '',
    '| fact | changed to | the rule is | shown by the case |',
    '|---|---|---|---|',
  );
  for (const change of changes) {
    lines.push(
      `| \`${change.fact}\` | ${escapeCell(change.change)} | ${change.outcome} | ${escapeCell(change.coveredBy ?? 'no case: the build fails')} |`,
    );
  }
  return lines;
}

/** The catalogue of `kb`, with the number of cases of each rule from `cases` and each safety rule's silence list. */
export function catalogue(
  kb: CompiledKnowledgeBase,
  cases: ReadonlyMap<string, RuleCaseFile>,
  silence: SilenceReport = new Map(),
): string {
  const valueSets = kb.valueSets ?? {};
  const setNames = new Set(Object.keys(valueSets));
  const shared = kb.sharedConditions ?? {};
  const sharedNames = new Set(Object.keys(shared));
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);

  push(
    `# Rules of knowledge base \`${kb.id}\` ${kb.version}`,
    '',
    '<!-- Written by `npm run generate` from rules/; edit the rule files, not this page. -->',
    '',
    `${kb.title}. **Status: ${kb.status}**${kb.lastReviewed ? `, last reviewed ${kb.lastReviewed} by ${kb.reviewedBy ?? 'an unnamed role'}` : ', never reviewed by a clinician'}; effective ${kb.effective}; review every ${kb.reviewIntervalMonths} months. Digest \`${kb.digest}\`.`,
    '',
    `${kb.rules.length} rules, ${[...cases.values()].reduce((n, file) => n + file.cases.length, 0)} cases. How a rule is written: [writing-rules.md](writing-rules.md).`,
    '',
    '| id | category | indicator | says | cases |',
    '|---|---|---|---|---|',
  );
  const ordered = [...kb.rules].sort(
    (a, b) =>
      CATEGORIES.indexOf(a.event.params.category) - CATEGORIES.indexOf(b.event.params.category) ||
      INDICATORS.indexOf(a.event.params.indicator) - INDICATORS.indexOf(b.event.params.indicator) ||
      b.priority - a.priority,
  );
  for (const rule of ordered) {
    const p = rule.event.params;
    push(
      `| [\`${rule.name}\`](#${rule.name}) | ${p.category} | ${p.indicator} | ${escapeCell(p.summary)} | ${cases.get(rule.name)?.cases.length ?? 0} |`,
    );
  }

  for (const category of CATEGORIES) {
    const rules = ordered.filter((r) => r.event.params.category === category);
    if (rules.length === 0) continue;
    push('', `## ${category}`);
    for (const rule of rules) {
      const p = rule.event.params;
      const [appliesWhen, firesWhen] = rule.conditions.all;
      const file = cases.get(rule.name);
      const context: LineContext = { valueSets: setNames, shared: sharedNames, shown: new Set() };
      const count = (expect: string) => file?.cases.filter((c) => c.expect === expect).length ?? 0;
      push(
        '',
        `### ${rule.name}`,
        '',
        `**${p.indicator}**, ${category}, priority ${rule.priority}. [Rule file](../rules/${rule.name}.json), [cases](../rules/cases/${rule.name}.json): ${count('fires')} fire, ${count('silent')} silent, ${count('undecided')} undecided.`,
        '',
        '**Applies when**',
        '',
        ...branchLines(appliesWhen, 'always', context),
        '',
        '**Fires when**',
        '',
        ...branchLines(firesWhen, 'always', context),
        '',
        `**Says:** ${p.summary}`,
        '',
        ...p.detail.split('\n').map((line) => (line ? `> ${line}` : '>')),
        '',
      );
      if (p.notes) {
        push('**Added when**', '');
        for (const note of p.notes) push(`- *${note.when}*: ${note.text}`);
        push('');
      }
      if (p.suggestedActions) {
        push('**Suggests**', '');
        for (const action of p.suggestedActions)
          push(`- ${action.label} (\`${action.kind}\`)${action.when ? `, when *${action.when}*` : ''}`);
        push('');
      }
      push('**Evidence**', '');
      if (p.evidence.length === 0) push(`- No source is cited: ${p.noSource ?? 'none applies'}`);
      for (const e of p.evidence) {
        const source = kb.sources[e.source]!;
        const where = [e.section && `section ${e.section}`, e.revision && `${e.revision} text`].filter(Boolean).join(', ');
        push(
          `- [${source.label}](${source.url})${source.pmid ? ` (PMID ${source.pmid})` : ''}${where ? `, ${where}` : ''}: ${e.statement}${e.when ? ` (shown when *${e.when}*)` : ''}`,
        );
      }
      push(...silenceLines(rule.name, silence));
    }
  }

  if (sharedNames.size > 0) {
    push(
      '',
      '## Shared conditions',
      '',
      'Conditions several rules need with one meaning, written once in [conditions.json](../rules/conditions.json) and referred to by name. Each comes out true, false or unknown like any condition.',
    );
    for (const [name, condition] of Object.entries(shared)) {
      const context: LineContext = {
        valueSets: setNames,
        shared: new Set([...sharedNames].filter((n) => n !== name)),
        shown: new Set(),
      };
      push(
        '',
        `### ${name}`,
        '',
        `<a id="${sharedAnchor(name)}"></a>${condition.description}`,
        '',
        ...conditionLines({ ...condition, name: undefined } as WrittenCondition, 0, context),
      );
    }
  }

  push(
    '',
    '## Value sets',
    '',
    'Rules name a set; its members live here once, each with its RxNorm ingredient code and US brand names where a source confirmed them. A medication matches a member by its name, a synonym or a brand name; matching ignores case, punctuation, salt and form words, and reads each ingredient of a combination. The codes are also listed, for the FHIR mapping, in [fhir-codes.md](fhir-codes.md#value-set-members).',
  );
  for (const [name, set] of Object.entries(valueSets)) {
    push(
      '',
      `### Value set ${name}`,
      '',
      `<a id="value-set-${name}"></a>**${set.title}.** ${set.description ?? ''}`.trimEnd(),
      '',
    );
    push(`Sources: ${set.sources.map((key) => `[${kb.sources[key]!.label}](${kb.sources[key]!.url})`).join('; ')}.`);
    if (set.validates)
      push('', `Every entry of \`${set.validates}\` must be a member of this set or of another set that validates it.`);
    push('', '| member | RxNorm | brands | synonyms | note | code and brands read in |', '|---|---|---|---|---|---|');
    for (const member of set.members) {
      push(
        `| ${member.name} | ${member.rxnorm ?? 'not confirmed'} | ${escapeCell((member.brands ?? []).join(', '))} | ${(member.synonyms ?? []).join(', ')} | ${escapeCell(member.note ?? '')} | ${(member.sources ?? []).join(', ')} |`,
      );
    }
  }

  push('', '## Sources', '', '| key | source | read |', '|---|---|---|');
  for (const [key, source] of Object.entries(kb.sources)) {
    push(
      `| ${key} | [${escapeCell(source.citation)}](${source.url})${source.pmid ? ` PMID ${source.pmid}` : ''} | ${escapeCell(source.revision ?? '')} |`,
    );
  }

  if (kb.unconfirmed && kb.unconfirmed.length > 0) {
    push(
      '',
      '## Not confirmed, so not stated',
      '',
      'Statements the specification asked for that could not be read in a copy of their source here. No finding states them; each needs confirming against the current source before it is added.',
      '',
    );
    push(...unconfirmedList(kb));
  }

  push('', '## Changelog');
  for (const entry of kb.changelog) {
    push('', `### ${entry.version} (${entry.date})`, '', ...entry.changes.map((change) => `- ${change}`));
  }
  return `${out.join('\n')}\n`;
}
