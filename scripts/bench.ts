/**
 * `npm run bench` (builds first): what evaluating the knowledge base costs, side by side, in one run
 * on the same mix of facts: the JSON bodies of the valid sample events in events/.
 *
 * - stock: json-rules-engine as it comes, on the rule files whole (scripts/bench/stock-engine.ts);
 * - evaluate: the product, `evaluate()` as built for embedding (dist/lib/index.mjs, what
 *   `import { evaluate } from 'imatinib-sm-cds'` loads);
 * - reference: the reference interpreter of the rule JSON (test/reference/interpreter.ts), written
 *   apart from the core, synchronous and with no engine: what evaluating these rules costs when
 *   only their logic runs;
 * - handler: the deployed Lambda bundle dist/lambda/evaluate.cjs on the sample events themselves;
 * - cdsOrderSign: a signed (ES384) order-sign call through dist/lambda/cds-hooks.cjs with EHR JWT
 *   verification on (scripts/bench/cds-order-sign.ts), the token signed outside the timed call;
 * - jwtCheck and recordCards: on the hook's path with a state table (a local DynamoDB in a child
 *   process, scripts/bench/feedback.ts), the JWT check as deployed (signature, then the token id's
 *   conditional write) beside the recording of the sample order-sign answer's cards;
 * plus the bundle's cold start against a bare `node`, its size, resident memory growth over
 * 100,000 evaluate() calls (in a fresh process, scripts/bench/memory.ts), the committee's feedback
 * report over a year of counters of 2 million cards, against 2,000 cards and one day, and the time
 * of one large CDS Hooks call: 100 imatinib drafts over a prefetch of 10,000 Observations
 * (scripts/bench/cds-many-drafts.ts; target 3 s).
 *
 * Timings are per call (process.hrtime.bigint) after a warm-up, cycling through the mix; the
 * reference interpreter is timed in batches of 1,000 calls, since one call takes a few microseconds.
 * The contestants take turns in short slices over several rounds, in a rotating order, so that
 * they share the machine's conditions. Garbage collection is left to V8 while timing (a forced full
 * collection before each slice shrinks the young generation and made the p99 of every contestant
 * worse): p99 is mostly the scavenges a contestant's own allocations cause. ops/s is sequential
 * throughput on one core: calls / time spent in them.
 *
 * `--json` prints one JSON object on stdout and nothing else; progress goes to stderr.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import type { Card } from '../functions/adapters/cds-hooks/cards.js';
import { MISSING_FACTS_TOPIC } from '../functions/adapters/state/card-items.js';
import type { ShownCard } from '../functions/adapters/state/card-records.js';
import type { PatientFacts } from '../functions/core/index.js';
import { measureColdStart, type ColdStart } from './bench/cold-start.js';
import { loadReference } from '../test/reference/interpreter.js';
import { measureManyDrafts, type ManyDrafts } from './bench/cds-many-drafts.js';
import { cdsOrderSign } from './bench/cds-order-sign.js';
import { benchState, HOSPITAL_CARDS, type BenchAnswer, type BenchState } from './bench/feedback.js';
import { measureMemoryGrowth, type MemoryGrowth } from './bench/memory.js';
import { loadSamples, type Sample, type SampleEvent } from './bench/sample-events.js';
import { Samples, round } from './bench/stats.js';
import { localLambdaContext } from './lambda-functions.js';
import { createStockEngine, readRuleFiles, readSharedConditions, readValueSets, stockFactsOf } from './bench/stock-engine.js';

// The bundle's Powertools logger reads its level when the bundle is loaded: silence it first.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUNDLE = path.join(ROOT, 'dist/lambda/evaluate.cjs');
const LIBRARY = path.join(ROOT, 'dist/lib/index.mjs');
const { evaluate } = (await import(LIBRARY)) as typeof import('../functions/core/index.js');
const reference = loadReference(path.join(ROOT, 'rules'));
/** The signed event of the next cdsOrderSign call, made (and signed) outside the timed call. */
const pending: SampleEvent[] = [];
/** The next jwtCheck's token and recordCards' cards, made outside the timed call. */
const pendingTokens: string[] = [];
const pendingCards: BenchAnswer[] = [];
const JSON_OUTPUT = process.argv.includes('--json');

const WARMUP_MS = 500;
const ROUNDS = 6;
const SLICE_MS = 500;
const REFERENCE_SLICE_MS = 150;
const REFERENCE_BATCH = 1_000;
const RSS_CALLS = 100_000;
const COLD_START_RUNS = 15;

// stdout carries the result alone: anything else that writes there goes to stderr.
const writeResult = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

type ContestantName = 'stock' | 'evaluate' | 'reference' | 'handler' | 'cdsOrderSign' | 'jwtCheck' | 'recordCards';
type LambdaHandler = (event: unknown, context: Context) => Promise<{ statusCode: number; body: string }>;

interface Contestant {
  name: ContestantName;
  samples: Samples;
  /** Calls the contestant for about `ms` milliseconds; records the timings when `record`. */
  slice(ms: number, record: boolean): Promise<void>;
}

// --- The handler's invocation ----------------------------------------------------------------------

const lambdaContext = localLambdaContext('imatinib-sm-cds-bench-evaluate', 'bench');

/** A fresh copy of the parts of an event the middlewares write to, made outside the timed call. */
const freshEvent = (event: SampleEvent): SampleEvent => ({ ...event, headers: { ...event.headers } });

// --- Contestants ---------------------------------------------------------------------------------

const now = () => process.hrtime.bigint();

function perCall<T>(
  name: ContestantName,
  inputs: readonly T[],
  call: (input: T) => Promise<unknown>,
  prepare: (input: T) => T | Promise<T> = (x) => x,
): Contestant {
  const samples = new Samples(1 << 16);
  let next = 0;
  return {
    name,
    samples,
    async slice(ms, record) {
      const deadline = now() + BigInt(ms * 1e6);
      let calls = 0;
      let spent = 0n;
      while (now() < deadline) {
        const input = await prepare(inputs[next++ % inputs.length]!);
        const started = now();
        await call(input);
        const ns = now() - started;
        if (record) samples.add(Number(ns) / 1e3);
        calls++;
        spent += ns;
      }
      if (record) {
        samples.calls += calls;
        samples.elapsedNs += spent;
      }
    },
  };
}

/** Keeps the reference results alive, so the optimiser cannot drop the calls. */
let sink = 0;

function batched(name: ContestantName, inputs: readonly PatientFacts[], call: (facts: PatientFacts) => string[]): Contestant {
  const samples = new Samples(1 << 14);
  let next = 0;
  return {
    name,
    samples,
    async slice(ms, record) {
      const deadline = now() + BigInt(ms * 1e6);
      while (now() < deadline) {
        const started = now();
        for (let i = 0; i < REFERENCE_BATCH; i++) sink += call(inputs[(next + i) % inputs.length]!).length;
        const ns = now() - started;
        next += REFERENCE_BATCH;
        if (record) {
          samples.add(Number(ns) / 1e3 / REFERENCE_BATCH);
          samples.calls += REFERENCE_BATCH;
          samples.elapsedNs += ns;
        }
      }
    },
  };
}

// --- Checks before timing anything ---------------------------------------------------------------

const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

async function checkContestants(
  mix: readonly Sample[],
  handler: LambdaHandler,
  stock: ReturnType<typeof createStockEngine>,
): Promise<{ evaluateFindings: number; stockEvents: number; stockDiffers: number }> {
  let evaluateFindings = 0;
  let stockEvents = 0;
  let stockDiffers = 0;
  for (const { name, event, facts } of mix) {
    const fired = (await evaluate(facts)).findings.map((f) => f.ruleId);
    const referenceFired = reference.firedRuleIds(facts);
    if (!sameIds(fired, referenceFired)) {
      throw new Error(
        `${name}: evaluate() fires [${fired.join(', ')}] but the reference interpreter fires [${referenceFired.join(', ')}]`,
      );
    }
    const result = await handler(freshEvent(event), lambdaContext);
    const answered =
      result.statusCode === 200
        ? (JSON.parse(result.body) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId)
        : [];
    if (result.statusCode !== 200 || !sameIds(answered, fired)) {
      throw new Error(
        `${name}: the handler answered ${result.statusCode} with [${answered.join(', ')}], evaluate() fires [${fired.join(', ')}]`,
      );
    }
    const stockFired = (await stock.run(stockFactsOf(facts))).events.map((e) => e.type);
    evaluateFindings += fired.length;
    stockEvents += stockFired.length;
    if (!sameIds([...stockFired].sort(), [...fired].sort())) stockDiffers++;
  }
  return { evaluateFindings, stockEvents, stockDiffers };
}

// --- Report ---------------------------------------------------------------------------------------

type Summary = ReturnType<Samples['summary']>;

interface Report {
  evaluate: Summary;
  stock: Summary;
  reference: Summary;
  handler: Summary;
  cdsOrderSign: Summary;
  jwtCheck: Summary;
  recordCards: Summary;
  feedbackReport: { cards: number; yearMs: number; lightYearMs: number; dayMs: number };
  coldStart: ColdStart;
  cdsManyDrafts: ManyDrafts;
  bundleBytes: number;
  rssGrowthMb: number;
  ratios: Record<string, number>;
  machine: Record<string, string | number>;
}

interface Notes {
  mix: number;
  stockEvents: number;
  evaluateFindings: number;
  stockDiffers: number;
  memory: MemoryGrowth;
}

function table(report: Report, notes: Notes): string {
  const fmt = (n: number, decimals = 1) =>
    n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  const row = (name: string, s: Summary, decimals: number) =>
    `  ${name.padEnd(12)}${fmt(s.p50Us, decimals).padStart(11)}${fmt(s.p99Us, decimals).padStart(11)}${fmt(s.opsPerSec, 0).padStart(13)}`;
  const r = report.ratios;
  const m = report.machine;
  return [
    `imatinib-sm-cds bench: ${m.cpu}, ${m.cores} cores, Node ${m.node}`,
    `${notes.mix} sample bodies, ${ROUNDS} interleaved rounds per contestant`,
    '',
    `  ${'per call'.padEnd(12)}${'p50 (us)'.padStart(11)}${'p99 (us)'.padStart(11)}${'ops/s'.padStart(13)}`,
    row('stock', report.stock, 1),
    row('evaluate', report.evaluate, 1),
    row('reference', report.reference, 3),
    row('handler', report.handler, 1),
    row('cdsOrderSign', report.cdsOrderSign, 1),
    row('jwtCheck', report.jwtCheck, 1),
    row('recordCards', report.recordCards, 1),
    '',
    `  feedback report, p50: a year of ${fmt(report.feedbackReport.cards, 0)} cards ${fmt(report.feedbackReport.yearMs)} ms, of 2,000 cards ${fmt(report.feedbackReport.lightYearMs)} ms, one day ${fmt(report.feedbackReport.dayMs)} ms`,
    `  cold start (median of ${COLD_START_RUNS}): bundle ${fmt(report.coldStart.bundleMs)} ms, bare node ${fmt(report.coldStart.bareNodeMs)} ms`,
    `  bundle dist/lambda/evaluate.cjs: ${fmt(report.bundleBytes / 1024)} KB (${fmt(report.bundleBytes, 0)} bytes)`,
    `  resident memory growth over ${fmt(RSS_CALLS, 0)} evaluate() calls: ${fmt(report.rssGrowthMb, 2)} MB`,
    `    (fresh node --expose-gc process; heap in use grew ${fmt(notes.memory.heapUsedGrowthMb, 2)} MB)`,
    `  one CDS Hooks call of ${report.cdsManyDrafts.drafts} imatinib drafts over ${fmt(report.cdsManyDrafts.observations, 0)} Observations (${fmt(report.cdsManyDrafts.bodyMb, 2)} MB):`,
    `    median ${fmt(report.cdsManyDrafts.medianMs, 0)} ms, slowest ${fmt(report.cdsManyDrafts.maxMs, 0)} ms of ${report.cdsManyDrafts.runs} (target 3,000 ms)`,
    '',
    '  ratios',
    `    evaluate vs stock, p50 speedup        ${fmt(r.evaluateVsStockSpeedup!, 2)}x`,
    `    handler / evaluate, p50               ${fmt(r.handlerOverEvaluate!, 2)}x`,
    `    evaluate / reference, p50             ${fmt(r.evaluateOverReference!, 0)}x`,
    `    cdsOrderSign / handler, p50           ${fmt(r.cdsOrderSignOverHandler!, 1)}x`,
    `    recordCards / jwtCheck, p50           ${fmt(r.recordCardsOverJwtCheck!, 2)}x`,
    `    report, year of 2M / of 2k cards      ${fmt(r.feedbackReportHospitalOverLight!, 2)}x`,
    `    report, year / one day                ${fmt(r.feedbackReportYearOverDay!, 1)}x`,
    `    evaluate p99 / p50                    ${fmt(r.evaluateP99OverP50!, 2)}`,
    `    handler p99 / p50                     ${fmt(r.handlerP99OverP50!, 2)}`,
    `    cold start minus bare node            ${fmt(r.coldStartOverheadMs!)} ms`,
    `    bundle                                ${fmt(r.bundleKb!)} KB`,
    '',
    `  on the mix, stock fires ${notes.stockEvents} rule events and evaluate() ${notes.evaluateFindings} findings; they differ for ${notes.stockDiffers} of ${notes.mix} bodies`,
    '  (stock has no three-valued reading, so an unknown fact can satisfy notEqual, and counts no outcomes).',
    '',
  ].join('\n');
}

// --- Run ------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!existsSync(BUNDLE))
    throw new Error(`${path.relative(ROOT, BUNDLE)} is missing: run \`npm run build\` (npm run bench does)`);
  const handler = (createRequire(import.meta.url)(BUNDLE) as { handler: LambdaHandler }).handler;
  const rulesDir = path.join(ROOT, 'rules');
  const stock = createStockEngine(readRuleFiles(rulesDir), readValueSets(rulesDir), readSharedConditions(rulesDir));
  const cds = await cdsOrderSign(ROOT);
  const signedCall = await cds.handler(await cds.nextEvent(), lambdaContext);
  if (signedCall.statusCode !== 200) throw new Error(`the signed order-sign call answered ${signedCall.statusCode}`);
  const answerCards = (JSON.parse(signedCall.body) as { cards: Card[] }).cards.map((card) => ({
    uuid: card.uuid,
    topic: card.source.topic?.code ?? MISSING_FACTS_TOPIC,
    indicator: card.indicator,
  }));
  const { knowledgeBase } = await evaluate({});
  const state = await benchState(
    ROOT,
    readRuleFiles(path.join(ROOT, 'rules')).map((rule) => String(rule.name)),
    knowledgeBase.version,
    progress,
  );
  try {
    await measure(handler, stock, cds, state, answerCards);
  } finally {
    state.stop();
  }
}

async function measure(
  handler: LambdaHandler,
  stock: ReturnType<typeof createStockEngine>,
  cds: Awaited<ReturnType<typeof cdsOrderSign>>,
  state: BenchState,
  answerCards: ShownCard[],
): Promise<void> {
  const mix = loadSamples(ROOT);
  const facts = mix.map((m) => m.facts);
  const notes = await checkContestants(mix, handler, stock);
  progress(`${mix.length} sample bodies: ${mix.map((m) => m.name.replace(/^evaluate\.|\.json$/g, '')).join(', ')}`);

  const contestants: Contestant[] = [
    perCall('stock', facts.map(stockFactsOf), (input) => stock.run(input)),
    perCall('evaluate', facts, (input) => evaluate(input)),
    batched('reference', facts, (input) => reference.firedRuleIds(input)),
    perCall(
      'handler',
      mix.map((m) => m.event),
      (event) => handler(event, lambdaContext),
      freshEvent,
    ),
    perCall(
      'cdsOrderSign',
      [null],
      // Every timed call must be answered, not refused (a 401 would be cheaper and mean nothing).
      async () => {
        const { statusCode } = await cds.handler(pending.shift()!, lambdaContext);
        if (statusCode !== 200) throw new Error(`a signed order-sign call answered ${statusCode}`);
      },
      async (input) => {
        pending.push(await cds.nextEvent());
        return input;
      },
    ),
    perCall(
      'jwtCheck',
      [null],
      // verify() throws on a refusal, which stops the bench: only accepted tokens are timed.
      (): Promise<unknown> => state.jwtCheck(pendingTokens.shift()!),
      async (input) => {
        pendingTokens.push(await state.nextToken());
        return input;
      },
    ),
    perCall(
      'recordCards',
      [null],
      async () => {
        const { recorded } = await state.recordCards(pendingCards.shift()!);
        if (recorded !== answerCards.length) throw new Error(`recorded ${recorded} of ${answerCards.length} cards`);
      },
      (input) => {
        pendingCards.push(state.nextCards(answerCards));
        return input;
      },
    ),
  ];
  const sliceMs = (c: Contestant) => (c.name === 'reference' ? REFERENCE_SLICE_MS : SLICE_MS);

  progress('warming up');
  for (const contestant of contestants) await contestant.slice(WARMUP_MS, false);
  for (let round = 0; round < ROUNDS; round++) {
    progress(`round ${round + 1} of ${ROUNDS}`);
    for (let i = 0; i < contestants.length; i++) {
      const contestant = contestants[(round + i) % contestants.length]!;
      await contestant.slice(sliceMs(contestant), true);
    }
  }

  progress('the feedback report over a year of counters');
  const feedbackReport = { cards: HOSPITAL_CARDS, ...(await state.measureReport()) };
  progress(`resident memory over ${RSS_CALLS.toLocaleString('en-US')} evaluate() calls, in a fresh process`);
  const memory = measureMemoryGrowth(ROOT, RSS_CALLS);
  progress('one CDS Hooks call of 100 drafts over 10,000 Observations, 5 runs');
  const cdsManyDrafts = await measureManyDrafts(ROOT, cds, lambdaContext);
  progress(`cold start, ${COLD_START_RUNS} runs each`);
  const coldStart = measureColdStart(BUNDLE, mix[0]!.event, COLD_START_RUNS);
  const bundleBytes = statSync(BUNDLE).size;

  const [stockSummary, evaluateSummary, referenceSummary, handlerSummary, cdsSummary, jwtSummary, recordSummary] =
    contestants.map((c) => c.samples.summary()) as [Summary, Summary, Summary, Summary, Summary, Summary, Summary];
  const report: Report = {
    evaluate: evaluateSummary,
    stock: stockSummary,
    reference: referenceSummary,
    handler: handlerSummary,
    cdsOrderSign: cdsSummary,
    jwtCheck: jwtSummary,
    recordCards: recordSummary,
    feedbackReport,
    coldStart: { bundleMs: round(coldStart.bundleMs, 1), bareNodeMs: round(coldStart.bareNodeMs, 1) },
    cdsManyDrafts,
    bundleBytes,
    rssGrowthMb: memory.rssGrowthMb,
    ratios: {
      evaluateVsStockSpeedup: round(stockSummary.p50Us / evaluateSummary.p50Us, 2),
      handlerOverEvaluate: round(handlerSummary.p50Us / evaluateSummary.p50Us, 2),
      evaluateOverReference: round(evaluateSummary.p50Us / referenceSummary.p50Us, 0),
      cdsOrderSignOverHandler: round(cdsSummary.p50Us / handlerSummary.p50Us, 1),
      recordCardsOverJwtCheck: round(recordSummary.p50Us / jwtSummary.p50Us, 2),
      feedbackReportHospitalOverLight: round(feedbackReport.yearMs / feedbackReport.lightYearMs, 2),
      feedbackReportYearOverDay: round(feedbackReport.yearMs / feedbackReport.dayMs, 1),
      evaluateP99OverP50: round(evaluateSummary.p99Us / evaluateSummary.p50Us, 2),
      handlerP99OverP50: round(handlerSummary.p99Us / handlerSummary.p50Us, 2),
      coldStartOverheadMs: round(coldStart.bundleMs - coldStart.bareNodeMs, 1),
      bundleKb: round(bundleBytes / 1024, 1),
    },
    machine: {
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
      cores: os.cpus().length,
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
    },
  };
  if (sink < 0) progress('unreachable'); // reads the sink
  writeResult(JSON_OUTPUT ? `${JSON.stringify(report)}\n` : table(report, { mix: mix.length, ...notes, memory }));
}

try {
  await main();
} catch (error) {
  progress(`failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
