import { describe, expect, it } from 'vitest';
import { keukentafelBot, PEOPLE, type Json } from '../support/keukentafel.js';
import { TENANT } from '../support/teams-channel.js';

/**
 * Issue 15 points 3 and 4 over the Bot Framework protocol: a keukentafelgesprek assigned to both its people gets a
 * goal (in the dossier, never in the channel), is afgeschaald to waakvlam from an evaluation in the coach's 1:1 chat,
 * and is closed with a receiving organisation and the family's mark, which the referrer hears and the log keeps.
 */

const { env, post, press, refer, stored, audit, channelPostOf } = keukentafelBot('trajectory');

/** A Action.Submit from the reminder card, in someone's 1:1 chat. */
async function submitInPersonal(from: Json, conversationId: string, value: Json): Promise<string> {
  const before = env.connector.activities(conversationId).length;
  const response = await post({
    type: 'message',
    id: `submit-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl: env.serviceUrl,
    from,
    recipient: { id: 'bot', name: 'Aanmeldbot' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT.id },
    channelData: { tenant: TENANT },
    value,
  });
  expect(response.status).toBe(200);
  const reply = await env.connector.waitFor(() => env.connector.activities(conversationId).slice(before).find((a) => a.text), 'the reply');
  return String(reply.text);
}

const GOAL = 'Ouders en kind maken samen een dagritme dat thuis werkt.';

describe('a keukentafelgesprek from assignment to closure, over HTTP', () => {
  it('gets a goal, is afgeschaald to waakvlam at its evaluation, and closes with the receiving organisation and the mark', async () => {
    const reference = await refer('personal-trajectory-1', 'psychiatrie');
    const created = await env.connector.waitFor(() => channelPostOf(reference), 'the card in the channel');
    const thread = created.conversationId;

    for (const person of [PEOPLE.coach, PEOPLE.consulent]) {
      const { version } = await stored(reference);
      expect((await press(PEOPLE.coordinator, 'assign', { reference, version, professional: person.aadObjectId }, thread)).text).toContain(`Toegewezen aan ${person.name}`);
    }
    const assigned = await stored(reference);
    expect(assigned.evaluation.dueOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // The goal: stored and audited, but the channel card only says there is one.
    const withGoal = await press(PEOPLE.coach, 'goal', { reference, version: assigned.version, goal: GOAL }, thread);
    expect(withGoal.text).toContain('Het doel van');
    expect(withGoal.text).toContain('Doel');
    expect(withGoal.text).toContain('staat in het dossier');
    expect(JSON.stringify(withGoal.card)).not.toContain('dagritme');
    expect((await stored(reference)).goal.text).toBe(GOAL);

    // Afschalen from the evaluation, in the jeugdconsulent's 1:1 chat: the case becomes waakvlam.
    const { evaluation } = await stored(reference);
    const afgeschaald = await submitInPersonal(PEOPLE.consulent, 'personal-consulent', { flow: 'evaluatie', reference, dueOn: evaluation.dueOn, outcome: 'afschalen' });
    expect(afgeschaald).toContain('afgeschaald naar waakvlam');
    expect((await stored(reference)).intensity).toMatchObject({ level: 'waakvlam' });

    // The coordinator closes it for the team: referred on to specialist care, with the family's mark.
    const { version } = await stored(reference);
    const closed = await press(PEOPLE.coordinator, 'close', { reference, version, reason: 'doorverwezen-specialistisch', referredTo: 'Jeugd-GGZ', satisfaction: '8' }, thread);
    expect(closed.text).toContain('Afgesloten. De verwijzer hoort het.');
    expect(closed.text).toContain('Doorverwezen naar specialistische jeugdhulp — Jeugd-GGZ');
    const record = await stored(reference);
    expect(record.closure).toMatchObject({ reason: 'doorverwezen-specialistisch', referredTo: 'Jeugd-GGZ', satisfaction: 8 });
    await env.connector.waitFor(
      () => env.connector.activities('personal-trajectory-1').find((a) => String(a.text ?? '').includes('doorverwezen naar specialistische jeugdhulp — Jeugd-GGZ')),
      'the referrer hearing where the family went',
    );
    const events = (await audit()).filter((e) => e.reference === reference).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['aanmelding.doel', 'aanmelding.evaluatie', 'aanmelding.intensiteit', 'aanmelding.afgesloten']));
    expect(JSON.stringify(await audit())).not.toContain('dagritme');
  });

  it('refuses a receiving organisation that is not in the list, and keeps the case open', async () => {
    const reference = await refer('personal-trajectory-2', '');
    const created = await env.connector.waitFor(() => channelPostOf(reference), 'the card');
    const { version } = await stored(reference);
    const refused = await press(PEOPLE.coordinator, 'close', { reference, version, reason: 'doorverwezen-wijkteam', referredTo: 'Ergens anders' }, created.conversationId);
    expect(refused.text).toContain('Kies de organisatie uit de lijst.');
    expect((await stored(reference)).status).not.toBe('afgesloten');
  });
});
