import { describe, expect, it } from 'vitest';
import type { ChannelLink } from '../../data/channel-link.store.js';
import { parseGemeenteConfig } from '../../data/gemeente.config.js';
import { deliveryNote } from '../../dialogs/channel.dialog.js';
import { chatWithBot, textOf, type Chat } from '../support/chat.js';
import { config, megan } from '../fixtures/referral.js';

/**
 * A SPOED aanmelding sent outside the jeugdconsulenten's working hours (issue 14, point 2): the referrer's
 * confirmation says at once whom to call now, instead of letting them wait for a team that is not at work.
 * 2 March 2026 is a Monday, winter time (UTC+1); working hours by default ma–vr 08:30–17:00.
 */

const winter = (local: string) => new Date(`${local.replace(' ', 'T')}:00+01:00`);
const AFTER_HOURS = '0800-1234567 (crisisdienst jeugd, dag en nacht)';
const withAfterHoursNumber = parseGemeenteConfig({ ...config, buitenWerktijdenTelefoon: AFTER_HOURS });

const jeugdconsulentChannel: ChannelLink = {
  service: 'jeugdconsulent',
  teamId: '19:team@thread.tacv2',
  channelId: '19:jeugdconsulenten@thread.tacv2',
  reference: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: '19:jeugdconsulenten@thread.tacv2' } },
  linkedBy: megan,
  linkedAt: winter('2026-03-01 12:00').toISOString(),
};

/** A huisarts with an acute concern, reported to Veilig Thuis, sends the aanmelding; returns what the bot answers. */
async function sendSpoed(bot: Chat): Promise<string> {
  await bot.say('aanmelden');
  await bot.click('Huisarts');
  await bot.click('Ja, acute zorgen');
  await bot.click('Melding bij Veilig Thuis gedaan');
  await bot.click('Eerst de hele aanmelding invullen');
  await bot.click('Verder', { value: '3 en 7' });
  await bot.click('Ja, er is toestemming');
  await bot.click('Ouders met kinderen');
  await bot.say('oostrum');
  await bot.click('Verder', { value: 'pedagogisch' });
  await bot.click('Geen van deze');
  await bot.click('Verder', { name: 'Anna Jansen', phone: '06 12345678' });
  return textOf(await bot.click('Versturen'));
}

describe('the referrer of a SPOED aanmelding, after Versturen', () => {
  it('outside working hours is told to call 112 or Veilig Thuis now', async () => {
    const bot = await chatWithBot(winter('2026-03-02 22:15'));
    await bot.cases.link(jeugdconsulentChannel);
    const said = await sendSpoed(bot);
    expect(said).toContain('Het team ziet de aanmelding nu in zijn kanaal');
    expect(said).toContain('Het is nu buiten werktijd');
    expect(said).toContain('maandag tot en met vrijdag van 08:30 tot 17:00');
    expect(said).toContain('**112**');
    expect(said).toContain('Veilig Thuis, 0800-2000');
  });

  it('within working hours hears that the team sees it, without the out-of-hours numbers', async () => {
    const bot = await chatWithBot(winter('2026-03-02 10:00'));
    await bot.cases.link(jeugdconsulentChannel);
    const said = await sendSpoed(bot);
    expect(said).toContain('Het team ziet de aanmelding nu in zijn kanaal');
    expect(said).not.toContain('buiten werktijd');
  });

  it('on a Saturday afternoon is told the same', async () => {
    const bot = await chatWithBot(winter('2026-03-07 14:00'));
    await bot.cases.link(jeugdconsulentChannel);
    expect(await sendSpoed(bot)).toContain('Het is nu buiten werktijd');
  });
});

describe('the referrer of the short acute form, after Nu met spoed versturen', () => {
  it('outside working hours is told the numbers to call as well', async () => {
    const bot = await chatWithBot(winter('2026-03-02 22:15'));
    await bot.cases.link(jeugdconsulentChannel);
    await bot.say('aanmelden');
    await bot.click('Huisarts');
    await bot.click('Ja, acute zorgen');
    await bot.click('Melding bij Veilig Thuis gedaan');
    const said = textOf(await bot.click('Nu met spoed versturen', { children: '3 en 7', wijk: 'Oostrum', situation: 'Moeder belt in paniek', phone: '06 12345678' }));
    expect(said).toContain('Het is nu buiten werktijd');
    expect(said).toContain('De jeugdconsulent neemt zo snel mogelijk contact met je op.');
  });
});

describe('the out-of-hours note', () => {
  it("names the gemeente's out-of-hours number when it is configured", () => {
    const note = deliveryNote('posting', withAfterHoursNumber, 'jeugdconsulent', true, 'ja', false);
    expect(note).toContain(AFTER_HOURS);
    expect(note).toContain('Veilig Thuis, 0800-2000');
    expect(deliveryNote('posting', config, 'jeugdconsulent', true, 'ja', false)).not.toContain('crisisdienst');
  });

  it('without a channel adds the out-of-hours number to the numbers to call', () => {
    const note = deliveryNote('no-channel', withAfterHoursNumber, 'jeugdconsulent', true, 'ja', false)!;
    expect(note).toContain('bel de jeugdconsulent');
    expect(note).toContain(`Buiten werktijd bel je: **${AFTER_HOURS}**`);
    expect(deliveryNote('no-channel', withAfterHoursNumber, 'jeugdconsulent', true, 'ja', true)).not.toContain(AFTER_HOURS);
  });

  it('is only for SPOED: an ordinary aanmelding in the evening hears nothing about numbers', () => {
    expect(deliveryNote('posting', withAfterHoursNumber, 'gezinscoach', false, 'ja', false)).not.toContain('buiten werktijd');
  });

  it("names the gemeente's own working days", () => {
    const own = parseGemeenteConfig({ ...config, werktijden: { dagen: ['ma', 'wo', 'vr'], van: '09:00', tot: '16:00' } });
    expect(deliveryNote('posting', own, 'jeugdconsulent', true, 'ja', false)).toContain('maandag, woensdag en vrijdag van 09:00 tot 16:00');
  });
});
