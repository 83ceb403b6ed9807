import { describe, expect, it } from 'vitest';
import { allText } from '../support/bot-client.js';
import { keukentafelBot, PEOPLE, type Json } from '../support/keukentafel.js';

/**
 * Issue 15 over the Bot Framework protocol: a keukentafelgesprek picked up by a gezinscoach and a jeugdconsulent
 * pressing at the same moment (both succeed, each gets the dossier, the referrer hears both names), and an
 * assignment that goes over a professional's waakvlam norm (allowed, warned on the card, audited).
 */

const { env, press, refer, stored, audit, channelPostOf } = keukentafelBot('joint', { team: (team) => {
  // Adele's waakvlam norm at 1, so that a second waakvlam case goes over it.
  team.professionals.find((p: Json) => p.aadObjectId === PEOPLE.coach.aadObjectId).capacity.maxWaakvlam = 1;
} });

describe('a keukentafelgesprek over HTTP', () => {
  it('is picked up by the gezinscoach and the jeugdconsulent pressing at once: both on it, both get the dossier, the referrer hears both', async () => {
    const reference = await refer('personal-joint-1', 'psychiatrie');
    const created = await env.connector.waitFor(() => channelPostOf(reference), 'the card in the channel');
    const card = created.body.activity.attachments[0].content;
    expect(allText([{ attachments: [{ content: card }] }])).toContain('Keukentafelgesprek');
    const version = (await stored(reference)).version;

    const [coach, consulent] = await Promise.all([
      press(PEOPLE.coach, 'claim', { reference, version }, created.conversationId),
      press(PEOPLE.consulent, 'claim', { reference, version }, created.conversationId),
    ]);
    expect(coach.text).toContain(`Je hebt ${reference} opgepakt`);
    expect(consulent.text).toContain(`Je hebt ${reference} opgepakt`);

    const record = await stored(reference);
    expect([record.assignee.name, record.coAssignee.name].sort()).toEqual(['Adele Vance', 'Patti Fernandez']);
    expect(record.status).toBe('toegewezen');

    for (const who of ['Adele Vance (gezinscoach)', 'Patti Fernandez (jeugdconsulent)']) {
      await env.connector.waitFor(() => env.connector.activities('personal-joint-1').find((a) => String(a.text ?? '').includes(`opgepakt door ${who}`)), `the referrer hearing ${who}`);
    }
    for (const person of [PEOPLE.coach, PEOPLE.consulent]) {
      const chat = await env.connector.waitFor(() => env.connector.created().find((c) => !c.body.isGroup && c.body.members?.[0]?.id === person.id), `a 1:1 chat with ${person.name}`);
      await env.connector.waitFor(() => env.connector.activities(chat.conversationId).find((a) => JSON.stringify(a).includes(`Dossier ${reference}`)), `the dossier for ${person.name}`);
    }
    const events = (await audit()).filter((e) => e.reference === reference && e.event === 'aanmelding.opgepakt');
    expect(events.map((e) => e.actor.name).sort()).toEqual(['Adele Vance', 'Patti Fernandez']);
  });

  it('assigns over a waakvlam norm with a warning on the card, and audits the norm', async () => {
    const first = await refer('personal-joint-2', '');
    const second = await refer('personal-joint-3', '');
    for (const reference of [first, second]) {
      const created = await env.connector.waitFor(() => channelPostOf(reference), 'the card');
      const { version } = await stored(reference);
      const answer = await press(PEOPLE.coordinator, 'assign', { reference, version, professional: PEOPLE.coach.aadObjectId, intensity: 'waakvlam' }, created.conversationId);
      expect(answer.text).toContain('Toegewezen aan Adele Vance');
      if (reference === second) {
        expect(answer.text).toContain('Let op, boven de norm: Adele Vance heeft nu 2 gezinnen met waakvlam (norm: 1).');
        expect(JSON.stringify(answer.card)).toContain('"verb":"agree"');
      } else {
        expect(answer.text).not.toContain('boven de norm');
      }
    }
    expect((await stored(second)).intensity).toMatchObject({ level: 'waakvlam', by: { name: 'Megan Bowen' } });
    const entry = (await audit()).find((e) => e.reference === second && e.event === 'aanmelding.toegewezen');
    expect(entry?.detail).toBe('toegewezen aan Adele Vance door Megan Bowen; boven de norm: waakvlam Adele Vance 2 van 1');
  });
});
