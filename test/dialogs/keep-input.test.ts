import { describe, expect, it } from 'vitest';
import type { AdaptiveCard } from '../../dialogs/card.js';
import { chatWithBot, textOf, walk, type Chat, type Json } from '../support/chat.js';

/** Issue 16: a re-ask keeps what was typed and names only what is wrong. */

const NOW = new Date('2026-03-02T09:30:00.000Z');

/** The inputs of a card as the referrer sees them filled in: id → value. */
function filledIn(card: AdaptiveCard | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  walk(card, (element: Json) => {
    if (typeof element.type === 'string' && element.type.startsWith('Input.') && typeof element.id === 'string') values[element.id] = element.value;
  });
  return values;
}

function inputOf(card: AdaptiveCard | undefined, id: string): Json | undefined {
  let found: Json | undefined;
  walk(card, (element: Json) => {
    if (element.id === id && typeof element.type === 'string' && element.type.startsWith('Input.')) found = element;
  });
  return found;
}

/** Up to the toelichting, for a family of 3 and 7 with consent. */
async function upToExplanation(bot: Chat) {
  await bot.say('aanmelden');
  await bot.click('Huisarts');
  await bot.say('nee');
  await bot.click('Verder', { value: '3 en 7' });
  // A huisarts is the family's huisarts: no question whether the huisarts may know.
  await bot.click('Ja, er is toestemming');
  await bot.click('Ouders met kinderen');
  await bot.say('oostrum');
  await bot.click('Verder', { value: 'pedagogisch,school' });
  // The specialist question is the last point of the criteria card: not ticked, so no.
  await bot.click('Verder', { value: 'psychiatrie' });
}

describe('asking again keeps what was typed', () => {
  it('keeps every contact field after one wrong phone number, and names only that one', async () => {
    const bot = await chatWithBot(NOW);
    await upToExplanation(bot);
    // The contact details and the toelichting share one card.
    const sent = { name: 'Anna Jansen', phone: 'bel maar', email: 'anna@voorbeeld.nl', address: 'Dorpsstraat 1' };
    const replies = await bot.click('Verder', sent);
    const text = textOf(replies);
    expect(text).toContain('Het telefoonnummer klopt niet');
    expect(text).not.toMatch(/naam van de ouder of jongere in|e-mailadres klopt niet/);
    expect(filledIn(bot.lastCard())).toMatchObject(sent);
    // Corrected, the aanmelding goes on with all the fields that were right.
    expect(textOf(await bot.click('Verder', { ...sent, phone: '06 12345678' }))).toContain('Anna Jansen, 06 12345678, anna@voorbeeld.nl, Dorpsstraat 1');
  });

  it('keeps an over-long toelichting in the box and asks to shorten it, with the count', async () => {
    const bot = await chatWithBot(NOW);
    await upToExplanation(bot);
    const long = `Moeder is overbelast sinds de geboorte van de jongste. ${'Er speelt veel. '.repeat(70)}`.trim();
    const text = textOf(await bot.say(long));
    expect(text).toContain(`Je toelichting is ${long.length} tekens; het maximum is 1000.`);
    expect(text).toContain(`maak hem ${long.length - 1000} tekens korter`);
    const box = inputOf(bot.lastCard(), 'value');
    expect(box?.value).toBe(long);
    // The box must not cut the text off before the referrer has shortened it.
    expect(box?.maxLength).toBeUndefined();
    expect(textOf(await bot.click('Verder', { value: long.slice(0, 1000) }))).toContain('Hoe kan de professional het gezin bereiken?');
  });

  it('keeps the short acute form filled in and names only what is missing', async () => {
    const bot = await chatWithBot(NOW);
    await bot.say('aanmelden');
    await bot.click('Huisarts');
    await bot.click('Ja, acute zorgen');
    await bot.click('Melding bij Veilig Thuis gedaan');
    const sent = { children: '3 en 7', wijk: 'Oostrum', situation: '', phone: '06 12345678' };
    const text = textOf(await bot.click('Nu met spoed versturen', sent));
    expect(text).toContain('Beschrijf in een paar woorden wat er speelt.');
    expect(text).not.toMatch(/Vul de leeftijden|Kies een wijk|telefoonnummer/i);
    expect(filledIn(bot.lastCard())).toMatchObject({ children: '3 en 7', wijk: 'Oostrum', phone: '06 12345678' });
  });
});
