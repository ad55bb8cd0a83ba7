import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OVERRIDE_REASON_SYSTEM } from '../../functions/adapters/cds-hooks/card-text.js';
import type { Card } from '../../functions/adapters/cds-hooks/cards.js';
import type { HttpResult } from '../../functions/adapters/http/http-event.js';
import { callIdOf } from '../../functions/adapters/cds-hooks/cards.js';
import {
  CALL,
  callKey,
  cardAttribute,
  CARD_ATTRIBUTES,
  dayOf,
  MISSING_FACTS_TOPIC,
} from '../../functions/adapters/state/card-items.js';
import { readFeedbackReport, type CardFates, type FeedbackReport } from '../../functions/adapters/state/feedback-report.js';
import { stateTable, type StateTable } from '../../functions/adapters/state/state-table.js';
import { CDS_BASE_URL, signedCdsHandler, type CdsEvent, type SignedCdsHandler } from '../support/cds-handler.js';
import { bodyOf, lambdaContext, loadEvent, type Invoke } from '../support/events.js';
import { newSigningKey } from '../support/jwks-server.js';
import { useLocalDynamo } from '../support/local-dynamo.js';

/**
 * The CDS Hooks function with its state in a DynamoDB table (CDS_STATE_TABLE): this file starts a
 * local DynamoDB (dynalite) on 127.0.0.1, a stand-in EHR's JWKS on 127.0.0.1, and for one test a
 * second Node process as a second Lambda container sharing the table. Cards and feedback are read
 * back through the committee's report, which reads the day counters only.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const ORDER_SIGN = 'cds-hooks.order-sign-fip1l1-pdgfra';
const ORDER_SELECT = 'cds-hooks.order-select-kit-d816v';
const PATIENT_VIEW = 'cds-hooks.patient-view-on-imatinib';

const localDynamo = useLocalDynamo();
let cds: SignedCdsHandler;
let table: StateTable;

beforeAll(async () => {
  cds = await signedCdsHandler();
  table = stateTable(localDynamo().tableName);
});

afterAll(() => cds.close());

const cardsOf = (result: HttpResult) => bodyOf<{ cards: Card[] }>(result).cards;
const serviceOf = (event: CdsEvent) => event.rawPath.split('/')[2]!;

/** A hook call with its own hookInstance, answered by the function. */
async function call(name: string, hookInstance: string, edit: (body: any) => void = () => undefined) {
  const event = await cds.signed(name, (body) => {
    body.hookInstance = hookInstance;
    edit(body);
  });
  const result = await cds.invoke(event, lambdaContext());
  expect(result.statusCode).toBe(200);
  return { service: serviceOf(event), cards: cardsOf(result) };
}

/** The sample feedback event, sent to `service`'s feedback URL with `entries`, signed for it. */
async function feedback(service: string, entries: object[], invoke: Invoke = cds.invoke): Promise<HttpResult> {
  const event = loadEvent<CdsEvent>('cds-hooks.feedback');
  event.rawPath = `/cds-services/${service}/feedback`;
  (event.requestContext as { http: { path: string } }).http.path = event.rawPath;
  event.pathParameters = { id: service };
  event.body = JSON.stringify({ feedback: entries });
  event.headers.authorization = `Bearer ${await cds.jwks.signToken({ aud: `${CDS_BASE_URL}${event.rawPath}` })}`;
  return invoke(event, lambdaContext());
}

const at = () => new Date().toISOString();
const accepted = (card: Card) => ({
  card: card.uuid,
  outcome: 'accepted',
  acceptedSuggestions: (card.suggestions ?? []).slice(0, 1).map((s) => ({ id: s.uuid })),
  outcomeTimestamp: at(),
});
const overridden = (card: Card, code?: string, userComment?: string) => ({
  card: card.uuid,
  outcome: 'overridden',
  ...(code || userComment
    ? {
        overrideReason: {
          ...(code ? { reason: { system: OVERRIDE_REASON_SYSTEM, code } } : {}),
          ...(userComment ? { userComment } : {}),
        },
      }
    : {}),
  outcomeTimestamp: at(),
});

/** The report around today (a test that runs over midnight still finds its cards). */
function report(): Promise<FeedbackReport> {
  const day = (offset: number) => dayOf(new Date(Date.now() + offset * 86_400_000));
  return readFeedbackReport(table, day(-1), day(1));
}

type Tally = Pick<CardFates, 'shown' | 'accepted' | 'overridden' | 'acceptedSuggestions'> & { reasons: Record<string, number> };
const topicOf = (card: Card) => card.source.topic?.code ?? MISSING_FACTS_TOPIC;

/** The report's counts by rule id (the missing-facts card under its topic), summed over versions. */
function tallies(from: FeedbackReport): Map<string, Tally> {
  const out = new Map<string, Tally>();
  const rows = [...from.rules, ...from.missingFactsCard.map((fates) => ({ ...fates, ruleId: MISSING_FACTS_TOPIC }))];
  for (const row of rows) {
    const t = out.get(row.ruleId) ?? { shown: 0, accepted: 0, overridden: 0, acceptedSuggestions: 0, reasons: {} };
    t.shown += row.shown;
    t.accepted += row.accepted;
    t.overridden += row.overridden;
    t.acceptedSuggestions += row.acceptedSuggestions;
    for (const [code, n] of Object.entries(row.overrideReasons)) t.reasons[code] = (t.reasons[code] ?? 0) + n;
    out.set(row.ruleId, t);
  }
  return out;
}

/** What changed between two reports, rule by rule (rules that did not change left out). */
function change(before: FeedbackReport, after: FeedbackReport): Map<string, Tally> {
  const was = tallies(before);
  const delta = new Map<string, Tally>();
  for (const [ruleId, now] of tallies(after)) {
    const old = was.get(ruleId) ?? { shown: 0, accepted: 0, overridden: 0, acceptedSuggestions: 0, reasons: {} };
    const reasons = Object.fromEntries(
      Object.entries(now.reasons)
        .map(([code, n]) => [code, n - (old.reasons[code] ?? 0)] as const)
        .filter(([, n]) => n !== 0),
    );
    const d = {
      shown: now.shown - old.shown,
      accepted: now.accepted - old.accepted,
      overridden: now.overridden - old.overridden,
      acceptedSuggestions: now.acceptedSuggestions - old.acceptedSuggestions,
      reasons,
    };
    if (d.shown || d.accepted || d.overridden || d.acceptedSuggestions || Object.keys(reasons).length) delta.set(ruleId, d);
  }
  return delta;
}

/** Adds `by` to the tally of `card`'s rule in `expected`. */
function expect_(expected: Map<string, Tally>, card: Card, by: Partial<Omit<Tally, 'reasons'>> & { reason?: string }) {
  const t = expected.get(topicOf(card)) ?? { shown: 0, accepted: 0, overridden: 0, acceptedSuggestions: 0, reasons: {} };
  t.shown += by.shown ?? 0;
  t.accepted += by.accepted ?? 0;
  t.overridden += by.overridden ?? 0;
  t.acceptedSuggestions += by.acceptedSuggestions ?? 0;
  if (by.reason) t.reasons[by.reason] = (t.reasons[by.reason] ?? 0) + 1;
  expected.set(topicOf(card), t);
}

/** The answer of another Node process loading the same function with the same settings (a second container). */
function inSecondProcess(event: CdsEvent): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    // tsx's loader in this Node, not tsx's CLI: that would be a second process in front of it.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/cds-hooks-process.ts')], {
      cwd: ROOT,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += String(chunk)));
    child.stderr.on('data', (chunk) => (err += String(chunk)));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as HttpResult) : reject(new Error(`exit ${code}: ${err}`)),
    );
    child.stdin.end(JSON.stringify(event));
  });
}

describe('replay protection in the state table', () => {
  it('refuses, in a second process sharing the table, a token used once in this one', async () => {
    const token = await cds.jwks.signToken({ aud: `${CDS_BASE_URL}/cds-services/imatinib-sm-order-sign` });
    const first = await cds.invoke(await cds.signed(ORDER_SIGN, undefined, token), lambdaContext());

    const replayed = await inSecondProcess(await cds.signed(ORDER_SIGN, undefined, token));
    const fresh = await inSecondProcess(await cds.signed(ORDER_SIGN));

    expect(first.statusCode).toBe(200);
    expect(replayed.statusCode).toBe(401);
    expect(fresh.statusCode).toBe(200);
  }, 60_000);

  it('writes nothing for a token whose signature fails: the token id is stored only once the token is verified', async () => {
    const jti = randomUUID();
    const forged = await cds.jwks.signToken(
      { aud: `${CDS_BASE_URL}/cds-services/imatinib-sm-order-sign`, jti },
      {},
      await newSigningKey('ES384', cds.jwks.es384.kid),
    );

    const result = await cds.invoke(await cds.signed(ORDER_SIGN, undefined, forged), lambdaContext());

    expect(result.statusCode).toBe(401);
    expect(JSON.stringify(await localDynamo().scan())).not.toContain(jti);
  });
});

describe('every card shown, and its fate, kept and counted', () => {
  it('counts a scripted day of calls, a retry and feedback exactly, per rule', async () => {
    const before = await report();
    const expected = new Map<string, Tally>();
    const [a, a2, b, c] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

    const signA = await call(ORDER_SIGN, a);
    const retryA = await call(ORDER_SIGN, a);
    const signA2 = await call(ORDER_SIGN, a2);
    const select = await call(ORDER_SELECT, b);
    const view = await call(PATIENT_VIEW, c);
    for (const answer of [signA, signA2, select, view]) for (const card of answer.cards) expect_(expected, card, { shown: 1 });
    expect(retryA.cards.map((card) => card.uuid)).toEqual(signA.cards.map((card) => card.uuid));

    const suggesting = signA.cards.find((card) => card.suggestions?.length)!;
    const [selectWarning, selectOther] = select.cards.filter((card) => card.overrideReasons);
    const [viewFirst, viewSecond] = view.cards;
    const sent = [
      await feedback(signA.service, [accepted(suggesting)]),
      await feedback(select.service, [
        overridden(selectWarning!, 'benefit-outweighs-risk', 'discussed at length'),
        overridden(selectOther!, 'already-addressed'),
      ]),
      await feedback(view.service, [overridden(viewFirst!), overridden(viewSecond!, 'a-code-no-card-offered')]),
    ];
    expect_(expected, suggesting, { accepted: 1, acceptedSuggestions: 1 });
    expect_(expected, selectWarning!, { overridden: 1, reason: 'benefit-outweighs-risk' });
    expect_(expected, selectOther!, { overridden: 1, reason: 'already-addressed' });
    expect_(expected, viewFirst!, { overridden: 1, reason: 'none' });
    expect_(expected, viewSecond!, { overridden: 1, reason: 'other' });

    expect(sent.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(change(before, await report())).toEqual(expected);
  });

  it('reports, per rule and knowledge-base version, no response and the override rate with its denominator', async () => {
    const answer = await call(ORDER_SELECT, randomUUID());
    const card = answer.cards.find((c) => c.overrideReasons)!;
    await feedback(answer.service, [overridden(card, 'patient-declined')]);

    const row = (await report()).rules.find((r) => r.ruleId === card.source.topic!.code)!;

    expect(row.noResponse).toBe(row.shown - row.accepted - row.overridden);
    expect(row.overrideRateDenominator).toBe(row.shown);
    expect(row.overrideRate).toBeCloseTo(row.overridden / row.shown, 10);
    expect(row.indicator).toBe(card.indicator);
    expect(row.knowledgeBaseVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('gives two drafts without an id their own order-check cards, as it does two drafts with ids, and counts them all', async () => {
    const twoDrafts = (ids: [string, string] | undefined) => (body: any) => {
      const [entry] = body.context.draftOrders.entry;
      const second = structuredClone(entry);
      if (ids) [entry.resource.id, second.resource.id] = ids;
      else [entry.resource, second.resource].forEach((draft) => delete draft.id);
      body.context.draftOrders.entry.push(second);
    };
    const withIds = await call(ORDER_SIGN, randomUUID(), twoDrafts(['first-draft', 'second-draft']));
    const hookInstance = randomUUID();
    const before = await report();

    const { cards } = await call(ORDER_SIGN, hookInstance, twoDrafts(undefined));
    const retry = await call(ORDER_SIGN, hookInstance, twoDrafts(undefined));

    expect(cards.map(topicOf)).toEqual(withIds.cards.map(topicOf));
    expect(new Set(cards.map(topicOf)).size).toBeLessThan(cards.length);
    expect(new Set(cards.map((card) => card.uuid)).size).toBe(cards.length);
    expect(retry.cards.map((card) => card.uuid)).toEqual(cards.map((card) => card.uuid));
    const shown = [...change(before, await report()).values()].reduce((n, t) => n + t.shown, 0);
    expect(shown).toBe(cards.length);
  });

  it('answers 400 to feedback for a card it never returned, and records nothing of the body', async () => {
    const answer = await call(ORDER_SIGN, randomUUID());
    const known = answer.cards[0]!;
    const before = await report();

    const unknown = await feedback(answer.service, [
      overridden(known, 'already-addressed'),
      overridden({ ...known, uuid: randomUUID() }),
    ]);
    const otherService = await feedback('imatinib-sm-order-select', [overridden(known, 'already-addressed')]);

    expect(unknown.statusCode).toBe(400);
    expect(bodyOf<{ errors: { path: string }[] }>(unknown).errors.map((e) => e.path)).toEqual(['$.feedback[1].card']);
    expect(otherService.statusCode).toBe(400);
    expect(change(before, await report()).size).toBe(0);
    expect((await table.get(callKey(callIdOf(known.uuid))))?.[cardAttribute('outcome', known.uuid)]).toBeUndefined();
  });

  it('answers 409 to a second outcome for a card, which changes nothing', async () => {
    const answer = await call(ORDER_SELECT, randomUUID());
    const card = answer.cards.find((c) => c.overrideReasons)!;
    const first = await feedback(answer.service, [overridden(card, 'data-not-current')]);
    const afterFirst = await report();
    const stored = await table.get(callKey(callIdOf(card.uuid)));

    const second = await feedback(answer.service, [accepted(card)]);
    const twiceInOneBody = await feedback(answer.service, [overridden(answer.cards.at(-1)!), overridden(answer.cards.at(-1)!)]);

    expect([first.statusCode, second.statusCode, twiceInOneBody.statusCode]).toEqual([200, 409, 409]);
    expect(bodyOf<{ errors: { path: string }[] }>(second).errors.map((e) => e.path)).toEqual(['$.feedback[0].card']);
    expect(change(afterFirst, await report()).size).toBe(0);
    expect(await table.get(callKey(callIdOf(card.uuid)))).toEqual(stored);
    expect(stored).toMatchObject({
      [cardAttribute('outcome', card.uuid)]: 'overridden',
      [cardAttribute('reason', card.uuid)]: 'data-not-current',
    });
  });

  it('keeps no patient data: no patient, user, encounter or order id, hookInstance or comment in any stored item', async () => {
    const marker = (what: string) => `mk${what}${randomUUID().slice(0, 8)}`;
    const [patient, user, encounter, order] = ['pt', 'user', 'enc', 'order'].map(marker) as [string, string, string, string];
    const hookInstance = randomUUID();
    const comment = `MARKER comment ${randomUUID()}`;
    const answer = await call(ORDER_SIGN, hookInstance, (body) => {
      body.context.patientId = patient;
      body.context.userId = `Practitioner/${user}`;
      body.context.encounterId = encounter;
      body.prefetch.patient.id = patient;
      const draft = body.context.draftOrders.entry[0].resource;
      draft.id = order;
      draft.subject.reference = `Patient/${patient}`;
    });
    await feedback(answer.service, [overridden(answer.cards[0]!, 'benefit-outweighs-risk', comment), accepted(answer.cards[1]!)]);

    const items = await localDynamo().scan();
    const stored = JSON.stringify(items);

    expect(items.filter((item) => item.pk?.S === callKey(callIdOf(answer.cards[0]!.uuid)))).toHaveLength(1);
    for (const value of [patient, user, encounter, order, hookInstance, comment, 'MARKER']) expect(stored).not.toContain(value);
    const perCard = new RegExp(
      `^(${CARD_ATTRIBUTES.join('|')})\\|[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`,
    );
    const callAttributes = items.filter((item) => item.pk?.S?.startsWith('call#')).flatMap((item) => Object.keys(item));
    expect(callAttributes.filter((name) => !['pk', 'ttl', ...Object.values(CALL)].includes(name) && !perCard.test(name))).toEqual(
      [],
    );
  });
});

describe('a state store that cannot be reached', () => {
  let closedPort: number;
  let offline: { invoke: Invoke; logged: unknown[][] } | undefined;

  beforeAll(async () => {
    closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
  });

  // The endpoint where nothing listens is each test's own: the replay test starts a second process
  // with this process's environment, whatever order the tests run in.
  let settingsBefore: Record<string, string | undefined> = {};
  afterEach(() => {
    for (const [name, value] of Object.entries(settingsBefore))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    settingsBefore = {};
    vi.restoreAllMocks();
  });

  /** The function loaded with the store's endpoint where nothing listens, and its error log lines. */
  async function withStoreDown(verification: 'on' | 'off') {
    const settings = { AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${closedPort}`, CDS_JWT_VERIFICATION: verification };
    for (const [name, value] of Object.entries(settings)) {
      if (!(name in settingsBefore)) settingsBefore[name] = process.env[name];
      process.env[name] = value;
    }
    vi.resetModules();
    const invoke = (await import('../../functions/handlers/cds-hooks.js')).handler as unknown as Invoke;
    const { logger } = await import('../../functions/adapters/logger.js');
    const logged: unknown[][] = [];
    vi.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
    offline = { invoke, logged };
    return offline;
  }

  it('refuses the call with 503 (fail closed), and the log says why without the token', async () => {
    const { invoke, logged } = await withStoreDown('on');
    const event = await cds.signed(ORDER_SIGN);

    const result = await invoke(event, lambdaContext());

    expect(result.statusCode).toBe(503);
    expect(result.headers['Retry-After']).toBe('1');
    expect(bodyOf(result).detail).toBe('The service cannot answer just now; try again shortly.');
    expect(logged).toContainEqual([
      'state store unavailable: call refused',
      { operation: 'replay-check', reason: 'ECONNREFUSED' },
    ]);
    expect(JSON.stringify(logged)).not.toContain(event.headers.authorization!.slice(7));
  });

  it('withholds no card when only the recording fails (verification off, so no replay check), and logs it', async () => {
    const { invoke, logged } = await withStoreDown('off');

    const result = await invoke(await cds.signed(ORDER_SIGN), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(cardsOf(result).length).toBeGreaterThan(0);
    expect(logged).toContainEqual([
      'state store unavailable: cards answered but not recorded',
      { operation: 'record-cards', reason: 'ECONNREFUSED' },
    ]);
  });

  it('answers feedback with 503 while the store is down', async () => {
    const { invoke } = await withStoreDown('off');

    const result = await feedback('imatinib-sm-order-sign', [overridden({ uuid: randomUUID() } as Card)], invoke);

    expect(result.statusCode).toBe(503);
  });
});
