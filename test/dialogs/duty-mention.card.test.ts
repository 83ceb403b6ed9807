import { describe, expect, it } from 'vitest';
import type { AdaptiveCard } from '../../dialogs/card.js';
import { teamCard } from '../../dialogs/referral.card.js';
import { onDutyFor, type OnDuty } from '../../machines/duty.js';
import { adaptiveCardProblems } from '../support/adaptive-cards.js';
import { asRead } from '../support/bot-client.js';
import { walkAll } from '../support/cards.js';
import { aanmelding, config, patti, team } from '../fixtures/referral.js';

/**
 * The channel card of a SPOED aanmelding @mentions the jeugdconsulent(en) on duty, so Teams notifies them: the
 * `<at>name</at>` text in a TextBlock and a mention entity under `msteams` (Teams docs, "Mention support within
 * Adaptive Cards"). Only the first post notifies; later versions name the same people in plain text.
 */

const T = team();
const MONDAY = new Date('2026-03-02T09:30:00.000Z');
const LIDIA = { aadObjectId: '00000000-0000-0000-0000-0000000000027', name: 'Lidia Holloway' };

/** A made-up family with an acute concern: nothing of it may reach the channel. */
const FAMILY = { name: 'Sanne Vermeulen', phone: '0478 123456', email: 'sanne@example.org', address: 'Kerkstraat 12, Venray' };
const EXPLANATION = 'Buren van Sanne hoorden geschreeuw. BSN 123456782.';
const spoed = aanmelding({ answers: { safety: { concern: true, action: 'veilig-thuis-gemeld' }, contact: FAMILY, explanation: EXPLANATION } });

const card = (duty: OnDuty | undefined, mention: boolean, a = spoed): AdaptiveCard => teamCard(a, [], { config, team: T, ...(duty ? { onDuty: { ...duty, mention } } : {}) });

/** The texts a person reads on the card. */
function textsOf(c: AdaptiveCard): string[] {
  const texts: string[] = [];
  walkAll(c.body, (element) => {
    if (element.type === 'TextBlock' && typeof element.text === 'string') texts.push(element.text);
  });
  return texts;
}

describe('the first post of a SPOED aanmelding', () => {
  const duty = onDutyFor(spoed, T, MONDAY)!;
  const posted = card(duty, true);

  it('is SPOED, and the example team has Patti Fernandez on duty on a Monday', () => {
    expect(spoed.triage.urgent).toBe(true);
    expect(duty).toEqual({ people: [patti], byRota: true });
  });

  it('mentions the jeugdconsulent on duty by Entra object id and name', () => {
    expect(posted.msteams).toEqual({ entities: [{ type: 'mention', text: '<at>Patti Fernandez</at>', mentioned: { id: patti.aadObjectId, name: 'Patti Fernandez' } }] });
  });

  it('shows the mention in a TextBlock with the SPOED line, as Teams needs for the entity to count', () => {
    expect(textsOf(posted)).toContain('Jeugdconsulent van dienst: <at>Patti Fernandez</at>');
    const entities = (posted.msteams as { entities: { text: string }[] }).entities;
    for (const entity of entities) expect(textsOf(posted).some((t) => t.includes(entity.text))).toBe(true);
  });

  it('mentions each of several on duty, and says "de jeugdconsulenten" when the rota named nobody', () => {
    const both = card({ people: [patti, LIDIA], byRota: false }, true);
    expect(textsOf(both)).toContain('Voor de jeugdconsulenten: <at>Patti Fernandez</at> en <at>Lidia Holloway</at>');
    expect((both.msteams as { entities: { mentioned: { id: string } }[] }).entities.map((e) => e.mentioned.id)).toEqual([patti.aadObjectId, LIDIA.aadObjectId]);
    expect(textsOf(card({ people: [patti, LIDIA], byRota: true }, true))).toContain('Jeugdconsulenten van dienst: <at>Patti Fernandez</at> en <at>Lidia Holloway</at>');
  });

  it('carries nothing of the family', () => {
    const json = asRead(JSON.stringify(posted)).toLowerCase();
    for (const secret of [...Object.values(FAMILY), 'Sanne', 'geschreeuw', '123456782', spoed.referrer.identity.name]) expect(json).not.toContain(secret.toLowerCase());
  });

  it('parses with the Adaptive Cards library without a warning', () => {
    expect(adaptiveCardProblems(posted)).toEqual([]);
  });
});

describe('later versions of the SPOED card (after pickup, a refresh)', () => {
  it('name the same people without notifying them again: no entity, no <at>', () => {
    const later = card({ people: [patti], byRota: true }, false);
    expect(textsOf(later)).toContain('Jeugdconsulent van dienst: Patti Fernandez');
    expect(later.msteams).toBeUndefined();
    expect(JSON.stringify(later)).not.toContain('<at>');
  });
});

describe('an aanmelding that is not SPOED', () => {
  const gewoon = aanmelding();

  it('has nobody on duty to mention', () => {
    expect(onDutyFor(gewoon, T, MONDAY)).toBeUndefined();
  });

  it('posts as before even when given people: no mention, no duty line', () => {
    expect(card({ people: [patti], byRota: true }, true, gewoon)).toEqual(card(undefined, false, gewoon));
    const given = card({ people: [patti], byRota: true }, true, gewoon);
    expect(given.msteams).toBeUndefined();
    expect(textsOf(given).join('\n')).not.toMatch(/dienst|Patti|<at>/);
  });
});
