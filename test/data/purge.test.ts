import { describe, expect, it } from 'vitest';
import { AanmeldingSchema } from '../../data/aanmelding.schema.js';
import { purgeOf } from '../../data/referral.store.js';
import { aanmelding, adele } from '../fixtures/referral.js';

/** What the retention purge leaves of a closed case (every store uses purgeOf): nothing typed about the family. */
describe('the retention purge', () => {
  const at = new Date('2027-06-01T08:00:00.000Z');
  const closed = AanmeldingSchema.parse({
    ...aanmelding(),
    status: 'afgesloten',
    closure: { reason: 'doelen-behaald', at: '2026-06-01T08:00:00.000Z' },
    goal: { text: 'Moeder Jansen krijgt weer grip op de ochtenden met Daan', at: '2026-03-01T08:00:00.000Z', by: adele },
  });

  it("removes the trajectory's goal text, and keeps when and by whom it was set", () => {
    const result = purgeOf(closed, at);
    expect(result.purged).toBe(true);
    const purged = result.purged ? result.aanmelding : undefined;
    expect(JSON.stringify(purged)).not.toContain('Jansen');
    expect(purged?.goal).toMatchObject({ text: '[verwijderd]', at: '2026-03-01T08:00:00.000Z', by: adele });
  });

  it("removes the short acute form's one line, and keeps the referrer's own number", () => {
    const short = AanmeldingSchema.parse({ ...closed, answers: { ...closed.answers, spoed: { situation: 'Vader Jansen dreigt, kinderen bij de buren', referrerPhone: '06 11223344', completedAt: '2026-03-01T09:00:00.000Z' } } });
    const result = purgeOf(short, at);
    const purged = result.purged ? result.aanmelding : undefined;
    expect(JSON.stringify(purged)).not.toContain('Jansen');
    expect(purged?.answers.spoed).toMatchObject({ situation: '[verwijderd]', referrerPhone: '06 11223344' });
  });
});
