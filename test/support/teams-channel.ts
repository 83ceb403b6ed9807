import { allText, type BotClient } from './bot-client.js';

type Json = Record<string, any>;

/** The example tenant and the channel the e2e tests link. */
export const TENANT = { id: '00000000-0000-0000-0000-0000000000001' };
export const CHANNEL = '19:aanmeldingen@thread.tacv2';

/**
 * Activities as Teams sends them from a team channel: each a new id and a new thread of `channel`. The serviceUrl
 * is read when an activity is made (a test's fake connector starts after the module loads).
 */
export function channelActivities(serviceUrl: () => string, channel = CHANNEL) {
  let seq = 0;
  return (from: Json, extra: Json): Json => ({
    id: `ch-${++seq}`,
    channelId: 'msteams',
    serviceUrl: serviceUrl(),
    from,
    recipient: { id: 'bot', name: 'Aanmeldbot' },
    conversation: { id: `${channel};messageid=cmd-${seq}`, conversationType: 'channel', isGroup: true, tenantId: TENANT.id },
    channelData: { team: { id: 'team-1' }, channel: { id: channel }, tenant: TENANT },
    ...extra,
  });
}

/**
 * Presses a button on a channel card as Teams does: an adaptiveCard/action invoke in the card's thread (`activity`
 * from channelActivities says who presses), answered with the card Teams then shows.
 */
export async function pressCard(botUrl: string, activity: Json, verb: string, data: Json, thread: string): Promise<{ status: number; card: Json; text: string }> {
  const response = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...activity,
      type: 'invoke',
      name: 'adaptiveCard/action',
      conversation: { id: thread, conversationType: 'channel', isGroup: true, tenantId: TENANT.id },
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    }),
  });
  const body = (await response.json()) as Json;
  return { status: response.status, card: body.value, text: allText([{ attachments: [{ content: body.value }] }]) };
}

/** Alex Wilber, a verwijzer with rol huisarts in the example team. */
const KNOWN_HUISARTS = '00000000-0000-0000-0000-0000000000020';

/**
 * A huisarts goes through an aanmelding up to the summary, one click from Versturen: with or without an acute
 * concern (`acute`), children of `ages`, consent,
 * a single mother in Oostrum, a pedagogical question, no criteria, and the made-up family's contact details.
 */
export async function toSummary(c: BotClient, { ages = '6', family = 'Testgezin', acute = false }: { ages?: string; family?: string; acute?: boolean } = {}): Promise<void> {
  await c.say('aanmelden');
  // The example team (data/teams/voorbeeld.json) knows Alex Wilber as a huisarts: his role is not asked.
  if (c.user.aadObjectId !== KNOWN_HUISARTS) await c.click('Huisarts');
  if (acute) {
    // An acute concern, already reported to Veilig Thuis: the aanmelding is SPOED.
    await c.click('Ja, acute zorgen');
    await c.click('Melding bij Veilig Thuis gedaan');
    // The whole aanmelding, not the short acute form.
    await c.click('Eerst de hele aanmelding invullen');
  } else await c.click('Nee');
  await c.say(ages);
  // A huisarts is the family's huisarts: no question whether the huisarts may know.
  await c.click('Ja, er is toestemming');
  await c.click('Alleenstaande moeder');
  await c.click('Verder', { wijk: 'Oostrum', hoofdvraag: 'pedagogisch' });
  // "Geen van deze" also says no specialist care is needed: its point is on the same card.
  await c.click('Geen van deze');
  await c.say('Moeder vraagt hulp bij de opvoeding.');
  await c.click('Verder', { name: family, phone: '06 00000000' });
}
