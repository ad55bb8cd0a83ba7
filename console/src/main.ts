import data from 'console:review-data';
import schema from '../../schemas/patient-facts.schema.json' with { type: 'json' };
import {
  evaluateWithOutcomes,
  InvalidPatientFactsError,
  type EvaluationWithOutcomes,
  type FieldProblem,
  type PatientFacts,
  type RuleOutcome,
} from '../../functions/core/index.js';
import { wholeKnowledgeBase as knowledgeBase } from '../../functions/core/knowledge-base.js';
import { answerView, type AnswerLinks } from './answer-view.js';
import { catalogueView, ruleAnchor, type CatalogueView } from './catalogue-view.js';
import { parseFeedbackReport } from './feedback-view.js';
import { append, byId, h, replaceChildren } from './dom.js';
import { factPathOf, factsFromInputs, inputsFromFacts } from './form-values.js';
import { factsForm } from './form-view.js';
import { knowledgeBaseView } from './knowledge-base-view.js';
import type { RuleCase, SampleScenario } from './review-data.js';
import { factForm, fieldId, fieldsOf, groupsOf, type SchemaNode } from './schema-fields.js';
import { expectationOf, outcomeMark } from './words.js';

/**
 * The review console (README, "Review console"): the knowledge base, its catalogue and a facts form
 * whose every change is evaluated by the same core as the service, here in the browser. Nothing is
 * sent anywhere: the page's Content-Security-Policy allows no connection at all.
 */

type Loaded = { kind: 'case'; ruleId: string; case: RuleCase } | { kind: 'scenario'; scenario: SampleScenario };

/**
 * The feedback report controls: a file read in the page (no connection: the CSP allows none), its
 * rates shown beside each rule, and the catalogue sorted by override rate on request.
 */
function feedbackControls(catalogue: CatalogueView): void {
  const file = byId<HTMLInputElement>('feedback-file');
  const sort = byId<HTMLButtonElement>('sort-by-rate');
  const status = byId('feedback-status');
  const sorted = (on: boolean) => {
    sort.setAttribute('aria-pressed', String(on));
    catalogue.sortByOverrideRate(on);
  };
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    chosen
      .text()
      .then((text) => {
        const read = parseFeedbackReport(text);
        if (!read.ok) return replaceChildren(status, h('span', { class: 'problem' }, `${chosen.name}: ${read.problem}`));
        catalogue.showFeedback(read.report);
        sort.disabled = false;
        const kept = read.report.kept === false ? ' The service kept nothing (no state table was configured).' : '';
        replaceChildren(
          status,
          `Feedback of ${read.report.since} to ${read.report.until} (${chosen.name}) is shown beside each rule.${kept}`,
        );
        if (sort.getAttribute('aria-pressed') === 'true') sorted(true);
      })
      .catch((error: unknown) =>
        replaceChildren(status, h('span', { class: 'problem' }, `${chosen.name} could not be read: ${String(error)}`)),
      );
  });
  sort.addEventListener('click', () => sorted(sort.getAttribute('aria-pressed') !== 'true'));
}

function start(): void {
  const groups = factForm(schema as SchemaNode);
  const fields = fieldsOf(groups);
  const labels = new Map([...fields, ...groupsOf(groups)].map((item) => [item.path, item.label]));
  const form = factsForm(groups);
  const answerColumn = byId('answer-column');
  const banner = byId('loaded');
  let loaded: Loaded | undefined;
  let changedSinceLoad = false;
  let run = 0;

  const links: AnswerLinks = {
    fact(path) {
      const dotted = factPathOf(path);
      const label = labels.get(dotted);
      if (label === undefined) return h('code', {}, path);
      const link = h('a', { href: `#${fieldId(dotted)}`, class: 'fact-link' }, label, ' ', h('code', {}, dotted));
      link.addEventListener('click', (event) => {
        if (form.focus(dotted)) event.preventDefault();
      });
      return link;
    },
    rule: (ruleId) => h('a', { href: `#${ruleAnchor(ruleId)}` }, h('code', {}, ruleId)),
  };

  const answers = answerView(byId('answer'), { summary: byId('answer-summary'), status: byId('answer-status') }, links);
  const catalogue = catalogueView(knowledgeBase, data.cases, data.silence, (ruleId, index) => {
    const c = data.cases[ruleId]![index]!;
    load(c.facts, { kind: 'case', ruleId, case: c });
  });

  function showBanner(outcomes: Readonly<Record<string, RuleOutcome>> | undefined, unshown: readonly string[] = []): void {
    banner.hidden = loaded === undefined;
    if (loaded === undefined) return replaceChildren(banner);
    const changed = changedSinceLoad
      ? h('p', {}, 'You have changed facts since it was loaded: the case expects its own facts.')
      : null;
    const missing =
      unshown.length > 0 ? h('p', { class: 'problem' }, `The form cannot show these values of it: ${unshown.join(', ')}.`) : null;
    if (loaded.kind === 'scenario') {
      const { name, file } = loaded.scenario;
      return replaceChildren(
        banner,
        h('p', {}, 'Loaded the sample scenario ', h('strong', {}, name), ` (${file}).`),
        changed,
        missing,
      );
    }
    const { ruleId, case: c } = loaded;
    const outcome = outcomes?.[ruleId];
    const cameOut = outcome === undefined ? 'no answer' : outcomeMark(outcome).word;
    const asExpected = outcome !== undefined && expectationOf(outcome) === c.expect;
    replaceChildren(
      banner,
      h('p', {}, 'Loaded the case ', h('strong', {}, `“${c.name}”`), ' of the rule ', links.rule(ruleId), '.'),
      h(
        'p',
        { class: asExpected ? 'verdict verdict-expected' : 'verdict verdict-unexpected' },
        `It expects: ${c.expect}. The rule ${cameOut === 'no answer' ? 'has no answer' : cameOut}: `,
        h('span', { 'aria-hidden': 'true' }, asExpected ? '✓ ' : '✗ '),
        h('strong', {}, asExpected ? 'as expected' : 'not as expected'),
        '.',
      ),
      changed,
      missing,
    );
  }

  async function answer(unshown: readonly string[] = []): Promise<void> {
    const mine = ++run;
    answerColumn.setAttribute('aria-busy', 'true');
    const { inputs, givenEmpty } = form.read();
    const reading = factsFromInputs(fields, inputs, givenEmpty);
    let evaluated: EvaluationWithOutcomes | undefined;
    let refused: readonly FieldProblem[] = reading.problems;
    if (refused.length === 0) {
      try {
        evaluated = await evaluateWithOutcomes(reading.facts);
      } catch (error) {
        if (!(error instanceof InvalidPatientFactsError)) throw error;
        refused = error.problems;
      }
    }
    // Typing starts evaluations faster than they end: only the latest one is shown.
    if (mine !== run) return;
    form.showProblems(refused);
    if (evaluated) answers.showAnswer(evaluated.result, loaded?.kind === 'case' ? loaded.ruleId : undefined);
    else answers.showProblems(refused);
    catalogue.showOutcomes(evaluated?.outcomes);
    showBanner(evaluated?.outcomes, unshown);
    answerColumn.setAttribute('aria-busy', 'false');
  }

  function failed(error: unknown): void {
    answerColumn.setAttribute('aria-busy', 'false');
    replaceChildren(byId('answer'), h('p', { class: 'problem', role: 'alert' }, `The console failed: ${String(error)}`));
  }

  function load(facts: PatientFacts, what: Loaded | undefined): void {
    const filling = inputsFromFacts(fields, facts);
    form.fill(filling);
    loaded = what;
    changedSinceLoad = false;
    answer(filling.unshown)
      .then(() => {
        // Focus follows the click to what changed, so a screen reader reads what was loaded.
        const target = what === undefined ? byId('facts-heading') : banner;
        byId('try').scrollIntoView({ block: 'start' });
        target.focus({ preventScroll: true });
      })
      .catch(failed);
  }

  function edited(): void {
    if (loaded !== undefined) changedSinceLoad = true;
    answer().catch(failed);
  }

  // Every control fires `input` on each change (a select and a checkbox too). Not also `change`: it
  // fires again on leaving a field, and would redraw the answer under a click on one of its links.
  form.element.addEventListener('input', edited);

  replaceChildren(
    byId('kb-line'),
    `${knowledgeBase.title}: knowledge base ${knowledgeBase.id} ${knowledgeBase.version}, `,
    h('strong', { class: `status status-${knowledgeBase.status}` }, knowledgeBase.status),
  );
  append(byId('kb-content'), knowledgeBaseView(knowledgeBase));
  append(byId('form-slot'), form.element);
  append(byId('catalogue'), catalogue.element);
  append(
    byId('scenario-list'),
    ...data.scenarios.map((scenario) => {
      const button = h('button', { type: 'button', class: 'scenario', title: scenario.file }, scenario.name);
      button.addEventListener('click', () => load(scenario.facts, { kind: 'scenario', scenario }));
      return h('li', {}, button);
    }),
  );
  byId('clear').addEventListener('click', () => load({}, undefined));
  feedbackControls(catalogue);
  answer().catch(failed);
}

start();
