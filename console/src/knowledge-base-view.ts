import type { CompiledKnowledgeBase } from '../../functions/core/index.js';
import { addMonths, statusWarnings } from '../../functions/core/knowledge-base.js';
import { externalLink, h, type Child } from './dom.js';
import { ruleAnchor } from './catalogue-view.js';

/**
 * What a reviewer signs off: the knowledge base's identity (id, version, digest of the rule files
 * built in), its status and review dates, its changelog, sources, value sets, and the statements
 * not confirmed in a readable copy of their source.
 */

function row(term: string, ...description: Child[]): Child[] {
  return [h('dt', {}, term), h('dd', {}, ...description)];
}

function nextReview(kb: CompiledKnowledgeBase): string {
  return kb.lastReviewed === null ? 'not set: never reviewed' : addMonths(kb.lastReviewed, kb.reviewIntervalMonths);
}

function changelog(kb: CompiledKnowledgeBase): HTMLElement {
  return h(
    'details',
    {},
    h('summary', {}, `Changelog (${kb.changelog.length} versions)`),
    ...kb.changelog.map((entry) =>
      h(
        'div',
        { class: 'changelog-entry' },
        h('p', {}, h('strong', {}, entry.version), ` (${entry.date})`),
        h('ul', {}, ...entry.changes.map((change) => h('li', {}, change))),
      ),
    ),
  );
}

function sources(kb: CompiledKnowledgeBase): HTMLElement {
  const all = Object.entries(kb.sources);
  return h(
    'details',
    {},
    h('summary', {}, `Sources (${all.length})`),
    h(
      'ul',
      { class: 'sources' },
      ...all.map(([key, source]) =>
        h(
          'li',
          {},
          h('strong', {}, source.label),
          ` [${key}]: `,
          externalLink(source.url, source.citation),
          source.pmid ? ` (PMID ${source.pmid})` : '',
          source.revision ? `. Text read: ${source.revision}.` : '',
        ),
      ),
    ),
  );
}

function valueSets(kb: CompiledKnowledgeBase): Child {
  const sets = Object.entries(kb.valueSets ?? {});
  if (sets.length === 0) return null;
  return h(
    'details',
    {},
    h('summary', {}, `Value sets (${sets.length}): the drug names the rules recognise`),
    ...sets.map(([name, set]) =>
      h(
        'div',
        { class: 'value-set' },
        h('p', {}, h('strong', {}, set.title), ' ', h('code', {}, name), set.description ? `: ${set.description}` : ''),
        h(
          'p',
          { class: 'members' },
          set.members.map((m) => (m.synonyms ? `${m.name} (${m.synonyms.join(', ')})` : m.name)).join('; '),
        ),
      ),
    ),
  );
}

function unconfirmed(kb: CompiledKnowledgeBase): Child {
  const statements = kb.unconfirmed ?? [];
  if (statements.length === 0) return null;
  return h(
    'details',
    {},
    h('summary', {}, `Not confirmed in a readable copy of the source (${statements.length})`),
    h(
      'ul',
      {},
      ...statements.map((u) =>
        h(
          'li',
          {},
          u.statement,
          ` (${u.source}). Rules: `,
          ...u.rules.flatMap((id, i) => [i > 0 ? ', ' : '', h('a', { href: `#${ruleAnchor(id)}` }, id)]),
        ),
      ),
    ),
  );
}

/** The knowledge-base section's content. */
export function knowledgeBaseView(kb: CompiledKnowledgeBase): HTMLElement {
  return h(
    'div',
    { class: 'knowledge-base' },
    ...statusWarnings(kb).map((warning) => h('p', { class: 'kb-warning', role: 'note' }, warning)),
    h(
      'dl',
      { class: 'kb-facts' },
      ...row('Title', kb.title),
      ...row('Id', h('code', {}, kb.id)),
      ...row('Version', kb.version),
      ...row('Status', h('strong', { class: `status status-${kb.status}` }, kb.status)),
      ...row('Digest', h('code', { class: 'digest' }, kb.digest)),
      ...row('Effective', kb.effective),
      ...row('Last reviewed', kb.lastReviewed ?? 'never'),
      ...row('Reviewed by', kb.reviewedBy ?? 'nobody yet'),
      ...row('Review interval', `${kb.reviewIntervalMonths} months`),
      ...row('Next review due', nextReview(kb)),
      ...row('Rules', String(kb.rules.length)),
    ),
    changelog(kb),
    sources(kb),
    valueSets(kb),
    unconfirmed(kb),
  );
}
