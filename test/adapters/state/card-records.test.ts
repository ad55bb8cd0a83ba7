import { describe, expect, it } from 'vitest';
import { cardRecorder } from '../../../functions/adapters/state/card-records.js';
import { readFeedbackReport } from '../../../functions/adapters/state/feedback-report.js';
import { stateTable } from '../../../functions/adapters/state/state-table.js';
import { useLocalDynamo } from '../../support/local-dynamo.js';

/** The recorder against a local DynamoDB (dynalite) on 127.0.0.1, started by this file. */

const localDynamo = useLocalDynamo();
const NOW = new Date('2026-06-01T10:00:00Z');
const EHR = 'https://ehr.example.org';
const SERVICE = 'imatinib-sm-order-sign';

/** A card of its own rule for each call, so that no test counts another's cards in the day's totals. */
function recorded(call: string) {
  const table = stateTable(localDynamo().tableName);
  const recorder = cardRecorder(table);
  const shown = recorder.recordShown({
    call,
    caller: EHR,
    service: SERVICE,
    knowledgeBaseVersion: '2.0.0',
    cards: [{ uuid: `${call}-card`, topic: `rule-${call}`, indicator: 'warning' }],
    now: NOW,
  });
  const overridden = (caller: string) =>
    recorder.recordFeedback({
      caller,
      service: SERVICE,
      entries: [{ card: `${call}-card`, call, outcome: 'overridden', overrideReason: 'none', acceptedSuggestions: 0 }],
      now: NOW,
    });
  return { table, shown, overridden };
}

describe('cardRecorder', () => {
  it('refuses feedback from an issuer other than the one the card was shown to, and counts nothing', async () => {
    const { table, shown, overridden } = recorded('call-other-ehr');
    await shown;

    const fromAnother = await overridden('https://another-ehr.example.net');
    const fromItsOwn = await overridden(EHR);

    expect(fromAnother).toEqual({ ok: false, problem: 'unknown-card', entries: [0] });
    expect(fromItsOwn).toEqual({ ok: true, recorded: 1 });
    const row = (await readFeedbackReport(table, '2026-06-01', '2026-06-01')).rules.find(
      (r) => r.ruleId === 'rule-call-other-ehr',
    );
    expect(row).toMatchObject({ shown: 1, overridden: 1, overrideReasons: { none: 1 } });
  });

  it('counts an answer once however often it is recorded, and says how many were repeats', async () => {
    const first = await recorded('call-twice').shown;
    const again = await recorded('call-twice').shown;

    expect(first).toEqual({ recorded: 1, repeated: 0 });
    expect(again).toEqual({ recorded: 0, repeated: 1 });
  });
});
