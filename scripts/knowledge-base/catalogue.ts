import type { CompiledKnowledgeBase, Condition } from '../../functions/core/rule-definition.js';
import { childrenOf, isFactCondition } from '../../functions/core/rule-definition.js';
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

/**
 * A condition tree as nested bullets: the words of each condition, "all of" / "any of" for
 * branches. A named branch already shown for the same rule is shown again by its name only.
 */
function conditionLines(condition: Condition, depth: number, valueSets: ReadonlySet<string>, shown: Set<string>): string[] {
  const indent = '  '.repeat(depth);
  if (isFactCondition(condition)) {
    const set = condition.params?.valueSet;
    const link = typeof set === 'string' && valueSets.has(set) ? ` (value set [\`${set}\`](#value-set-${set}))` : '';
    return [`${indent}- ${condition.name}${link}`];
  }
  const children = childrenOf(condition);
  const word = 'all' in condition ? 'all of' : 'any of';
  if (condition.name && shown.has(condition.name)) return [`${indent}- ${condition.name} (as above)`];
  if (condition.name) shown.add(condition.name);
  const head = condition.name ? `${condition.name}: ${word}` : word;
  if (children.length === 1 && !condition.name) return conditionLines(children[0]!, depth, valueSets, shown);
  return [`${indent}- ${head}`, ...children.flatMap((child) => conditionLines(child, depth + 1, valueSets, shown))];
}

function branchLines(branch: Condition | undefined, valueSets: ReadonlySet<string>, none: string, shown: Set<string>): string[] {
  if (!branch || (!isFactCondition(branch) && childrenOf(branch).length === 0)) return [`- ${none}`];
  const children = isFactCondition(branch) ? [branch] : childrenOf(branch);
  if (!isFactCondition(branch) && 'any' in branch) return conditionLines({ any: children }, 0, valueSets, shown);
  return children.flatMap((child) => conditionLines(child, 0, valueSets, shown));
}

/** What could not be confirmed, one Markdown bullet each: the rules concerned, the statement, its source. */
export function unconfirmedList(kb: Pick<CompiledKnowledgeBase, 'unconfirmed'>): string[] {
  return (kb.unconfirmed ?? []).map(
    (item) =>
      `- ${item.rules.length > 0 ? `${item.rules.map((r) => `\`${r}\``).join(', ')}: ` : ''}${item.statement} (${item.source})`,
  );
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
      const shown = new Set<string>();
      const count = (expect: string) => file?.cases.filter((c) => c.expect === expect).length ?? 0;
      push(
        '',
        `### ${rule.name}`,
        '',
        `**${p.indicator}**, ${category}, priority ${rule.priority}. [Rule file](../rules/${rule.name}.json), [cases](../rules/cases/${rule.name}.json): ${count('fires')} fire, ${count('silent')} silent, ${count('undecided')} undecided.`,
        '',
        '**Applies when**',
        '',
        ...branchLines(appliesWhen, setNames, 'always', shown),
        '',
        '**Fires when**',
        '',
        ...branchLines(firesWhen as Condition, setNames, 'always', shown),
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
      for (const e of p.evidence) {
        const source = kb.sources[e.source]!;
        const where = [e.section && `section ${e.section}`, e.revision && `${e.revision} text`].filter(Boolean).join(', ');
        push(
          `- [${source.label}](${source.url})${source.pmid ? ` (PMID ${source.pmid})` : ''}${where ? `, ${where}` : ''}: ${e.statement}`,
        );
      }
      push(...silenceLines(rule.name, silence));
    }
  }

  push(
    '',
    '## Value sets',
    '',
    'Rules name a set; its members live here once. Matching ignores case, punctuation, salt and form words, and reads each ingredient of a combination.',
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
    push('', '| member | synonyms | note |', '|---|---|---|');
    for (const member of set.members)
      push(`| ${member.name} | ${(member.synonyms ?? []).join(', ')} | ${escapeCell(member.note ?? '')} |`);
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
