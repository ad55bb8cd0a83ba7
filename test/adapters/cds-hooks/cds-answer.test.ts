import type { MedicationRequest } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { INDICATOR_RANK } from '../../../functions/core/index.js';
import { answerCdsCall } from '../../../functions/adapters/cds-hooks/cds-answer.js';
import { imatinibDraftOrders, PREFETCH } from '../../../functions/adapters/cds-hooks/cds-service.js';
import { resolvePrefetch } from '../../../functions/adapters/cds-hooks/prefetch.js';
import type { CdsRequest } from '../../../functions/adapters/cds-hooks/cds-request.js';
import { serviceById } from '../../../functions/adapters/cds-hooks/services/index.js';
import { loadEvent } from '../../support/events.js';

/** The pure part of a CDS Hooks call: from a request and its resolved prefetch to cards. */

const NOW = new Date('2026-11-29T12:00:00Z');

function sampleRequest(name: string): CdsRequest {
  return JSON.parse(loadEvent(name).body!) as CdsRequest;
}

/** The request's own prefetch, resolved as the service resolves it (every key sent: nothing is read). */
const prefetched = (request: CdsRequest) => resolvePrefetch(request, PREFETCH, () => undefined);

/** An order-sign service that checks the given orders (by default, every imatinib draft). */
const call = async (request: CdsRequest, orders: MedicationRequest[] = imatinibDraftOrders(request)) =>
  answerCdsCall({
    service: { ...serviceById('imatinib-sm-order-sign')!, draftOrders: () => orders },
    request,
    prefetch: await prefetched(request),
    now: NOW,
  });

describe('answerCdsCall', () => {
  it('answers with the most urgent cards first and the card of what is not on record last', async () => {
    const { cards, missingFacts } = await call(sampleRequest('cds-hooks.order-select-kit-d816v'));

    const ranks = cards.slice(0, -1).map((c) => INDICATOR_RANK[c.indicator]);
    expect(ranks).toEqual([...ranks].sort());
    expect(missingFacts).toBeGreaterThan(0);
    expect(cards.at(-1)!.summary).toMatch(/^Not on record/);
  });

  it('gives the same cards, uuids included, for the same call', async () => {
    const request = sampleRequest('cds-hooks.order-sign-fip1l1-pdgfra');

    expect(await call(request)).toEqual(await call(structuredClone(request)));
  });

  it('gives a patient-level finding one card however many imatinib orders are drafted, and an order check one per order', async () => {
    const request = sampleRequest('cds-hooks.order-sign-fip1l1-pdgfra');
    const [order] = imatinibDraftOrders(request);
    const second = { ...structuredClone(order!), id: `${order!.id}-second` };
    request.context.draftOrders!.entry.push({ resource: second as never });

    const cards = (await call(request, [order!, second])).cards;

    const times = new Map<string, number>();
    for (const card of cards)
      if (card.source.topic) times.set(card.source.topic.code, (times.get(card.source.topic.code) ?? 0) + 1);
    expect(new Set(times.values())).toEqual(new Set([1, 2]));
    expect(new Set(cards.map((c) => c.uuid)).size).toBe(cards.length);
  });

  it('shows on patient-view only what that service shows: no information about the molecular picture', async () => {
    const request = JSON.parse(loadEvent('cds-hooks.patient-view-on-imatinib').body!) as CdsRequest;

    const { cards } = await answerCdsCall({
      service: serviceById('imatinib-sm-patient-view')!,
      request,
      prefetch: await prefetched(request),
      now: NOW,
    });

    expect(cards.length).toBeGreaterThan(1);
    expect(cards.map((c) => c.source.topic?.code)).not.toContain('kit-d816v-negative-candidate');
  });

  it('names the rules that fired, for the log', async () => {
    const answer = await call(sampleRequest('cds-hooks.order-sign-fip1l1-pdgfra'));

    expect(answer.firedRuleIds.length).toBe(answer.cards.filter((c) => c.source.topic).length);
  });
});
