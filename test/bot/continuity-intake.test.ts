import { describe, expect, it } from 'vitest';
import type { AdaptiveCard } from '../../dialogs/card.js';
import { chatWithBot, walk, type Chat, type Json } from '../support/chat.js';

/**
 * Issue 15, continuity: "Eerder begeleid door iemand van het team?" is an optional choice on the contact card (consent
 * "ja" only, no extra question), and the coordinator's assign choices put that person first, marked.
 */

const NOW = new Date('2026-03-02T09:30:00.000Z');
const ISAIAH = '00000000-0000-0000-0000-0000000000023';
const MEGAN = { aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' };

function inputOf(card: AdaptiveCard | undefined, id: string): Json | undefined {
  let found: Json | undefined;
  walk(card, (element: Json) => {
    if (element.id === id && typeof element.type === 'string' && element.type.startsWith('Input.')) found = element;
  });
  return found;
}

/** Up to the contact card, for a family of 3 and 7 with consent (the team knows this huisarts). */
async function upToContact(bot: Chat) {
  await bot.say('aanmelden');
  await bot.click('Huisarts');
  await bot.say('nee');
  await bot.click('Verder', { value: '3 en 7' });
  await bot.click('Ja, er is toestemming');
  await bot.click('Ouders met kinderen');
  await bot.say('oostrum');
  await bot.click('Verder', { value: 'pedagogisch' });
  await bot.click('Geen van deze');
}

describe('eerder begeleid door iemand van het team', () => {
  it('is an optional choice on the contact card, stored with the aanmelding, and puts that person first in the assign choices', async () => {
    const bot = await chatWithBot(NOW);
    await upToContact(bot);
    const choice = inputOf(bot.lastCard(), 'eerder');
    expect(choice?.label).toContain('Eerder begeleid door iemand van het team?');
    expect(JSON.stringify(choice?.choices)).toContain('Isaiah Langer');
    await bot.click('Verder', { name: 'Anna Jansen', phone: '06 12345678', eerder: ISAIAH });
    await bot.click('Versturen');
    const [a] = await bot.stores.referrals.list();
    expect(a?.answers.eerderBegeleidDoor).toBe(ISAIAH);

    // Isaiah is not the fixed coach of Oostrum (Adele is), yet he comes first: he knows the family.
    const card = await bot.cases.cardFor(a!, MEGAN);
    const choices = inputOf(card, 'professional')?.choices as { title: string; value: string }[];
    expect(choices[0]?.value).toBe(ISAIAH);
    expect(choices[0]?.title).toContain('eerder betrokken bij dit gezin');
  });

  it('keeps nothing when the referrer leaves it at "Nee, of weet ik niet"', async () => {
    const bot = await chatWithBot(NOW);
    await upToContact(bot);
    await bot.click('Verder', { name: 'Anna Jansen', phone: '06 12345678', eerder: 'nee' });
    await bot.click('Versturen');
    const [a] = await bot.stores.referrals.list();
    expect(a?.answers.eerderBegeleidDoor).toBeUndefined();
    expect(JSON.stringify(await bot.cases.cardFor(a!, MEGAN))).not.toContain('eerder betrokken');
  });
});
