import { describe, expect, it } from 'vitest';
import { chatWithBot, textOf } from '../support/chat.js';

/** The referrer's own free text, read back in the acknowledgement and the summary, is text too (issue 12, point 8). */
describe('the intake summary', () => {
  it('shows a toelichting and contact details with markdown, html and a bidi override literally', async () => {
    const bot = await chatWithBot(new Date('2026-03-02T09:30:00.000Z'));
    await bot.say('aanmelden');
    await bot.click('Huisarts');
    await bot.say('nee');
    await bot.click('Verder', { value: '3 en 7' });
    await bot.click('Ja, er is toestemming');
    await bot.click('Ouders met kinderen');
    await bot.say('oostrum');
    await bot.click('Verder', { value: 'pedagogisch' });
    await bot.click('Verder', { value: 'psychiatrie' });
    const ack = textOf(await bot.say('[klik](https://evil.example) **vet** <b>x</b> \u202Eesrever'));
    expect(ack).toContain('\\[klik\\]\\(https://evil.example\\) \\*\\*vet\\*\\* \\<b\\>x\\</b\\> esrever');
    const summary = textOf(await bot.click('Verder', { name: 'Anna _Jansen_', phone: '06 12345678' }));
    expect(summary).toContain('Klopt alles?');
    expect(summary).toContain('Toelichting: \\[klik\\]\\(https://evil.example\\) \\*\\*vet\\*\\* \\<b\\>x\\</b\\> esrever');
    expect(summary).toContain('Contact: Anna \\_Jansen\\_, 06 12345678');
    expect(summary).not.toContain('[klik](');
    expect(summary).not.toContain('\u202E');
    // Stored as typed once sent.
    await bot.click('Versturen');
    const [stored] = await bot.stores.referrals.list();
    expect(stored?.answers.explanation).toBe('[klik](https://evil.example) **vet** <b>x</b> \u202Eesrever');
  });
});
