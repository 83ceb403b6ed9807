import { describe, expect, it } from 'vitest';
import { config } from '../fixtures/referral.js';
import { chatWithBot, textOf } from '../support/chat.js';

/**
 * Issue 14, point 6: an aanmelding outside the target group (no child of 23 or younger, none expected) keeps no
 * contact details at all, even with consent "ja"; the referrer is told where to go instead.
 */

const NOW = new Date('2026-11-23T10:00:00.000Z');
const FAMILY = /Karin Smit|06 98765432|karin@example\.nl/;

describe('an aanmelding outside the target group, sent over the normal path', () => {
  it('is never asked for contact details, stores none, audits none, and points the referrer elsewhere', async () => {
    const bot = await chatWithBot(NOW);
    await bot.say('aanmelden');
    await bot.click('Huisarts');
    await bot.say('nee'); // no acute concern
    expect(textOf(await bot.click('Verder', { value: '25' }))).toContain('toestemming');
    await bot.click('Ja, er is toestemming');
    await bot.click('Ouders met kinderen');
    await bot.say('oostrum');
    await bot.click('Verder', { value: 'praktisch' });
    // "Geen van deze" answers the specialist question too (its point is on the same card).
    await bot.click('Geen van deze');
    const summary = textOf(await bot.click('Overslaan'));
    // Straight from the explanation to the summary: no question how to reach the family.
    expect(summary).not.toContain('Hoe kan de professional het gezin bereiken?');
    expect(summary).toContain('Klopt alles?');
    expect(summary).toContain(config.buitenDoelgroepVerwijzing);
    expect(summary).toContain(`Stap 11 van 11`);

    const sent = textOf(await bot.click('Versturen'));
    expect(sent).toContain(config.buitenDoelgroepVerwijzing);

    const [stored] = await bot.stores.referrals.list();
    expect(stored).toMatchObject({ triage: { route: 'buiten-doelgroep' }, answers: { consent: { referral: 'ja', feedbackToHuisarts: false } } });
    expect(stored!.answers.contact).toBeUndefined();
    expect(stored!.post).toBeUndefined();
    const audit = await bot.stores.audit.entries();
    expect(audit.map((e) => e.event)).toEqual(['aanmelding.aangemaakt']);
    expect(JSON.stringify([stored, audit])).not.toMatch(FAMILY);
  });

  it('drops contact details typed before the ages were changed to outside the target group', async () => {
    const bot = await chatWithBot(NOW);
    await bot.say('aanmelden');
    await bot.click('Huisarts');
    await bot.say('nee');
    await bot.click('Verder', { value: '17' });
    await bot.click('Ja, er is toestemming');
    await bot.click('Ouders met kinderen');
    await bot.say('oostrum');
    await bot.click('Verder', { value: 'praktisch' });
    await bot.click('Geen van deze');
    expect(textOf(await bot.click('Verder', { name: 'Karin Smit', phone: '06 98765432', email: 'karin@example.nl' }))).toMatch(FAMILY);

    await bot.click('Wijzigen');
    await bot.say('kinderen');
    const summary = textOf(await bot.click('Verder', { value: '27' }));
    expect(summary).toContain('Klopt alles?');
    expect(summary).not.toMatch(FAMILY);
    await bot.click('Versturen');

    const [stored] = await bot.stores.referrals.list();
    expect(stored!.triage.route).toBe('buiten-doelgroep');
    expect(JSON.stringify([stored, await bot.stores.audit.entries()])).not.toMatch(FAMILY);
  });
});
