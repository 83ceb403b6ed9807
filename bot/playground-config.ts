/**
 * The Agents Playground's .m365agentsplayground.yml for the example team (data/teams/voorbeeld.json): the same six
 * people the Playground ships with, with one of them as the current user. `npm run dev -- --as coordinator` uses
 * it; `tsx bot/playground-config.ts coordinator` prints it.
 */
import { pathToFileURL } from 'node:url';

const PEOPLE = {
  verwijzer: { id: 'user-id-0', name: 'Alex Wilber', first: 'Alex', last: 'Wilber', aad: '00000000-0000-0000-0000-0000000000020' },
  coordinator: { id: 'user-id-1', name: 'Megan Bowen', first: 'Megan', last: 'Bowen', aad: '00000000-0000-0000-0000-0000000000021' },
  gezinscoach: { id: 'user-id-2', name: 'Adele Vance', first: 'Adele', last: 'Vance', aad: '00000000-0000-0000-0000-0000000000022' },
  gezinscoach2: { id: 'user-id-3', name: 'Isaiah Langer', first: 'Isaiah', last: 'Langer', aad: '00000000-0000-0000-0000-0000000000023' },
  jeugdconsulent: { id: 'user-id-4', name: 'Patti Fernandez', first: 'Patti', last: 'Fernandez', aad: '00000000-0000-0000-0000-0000000000024' },
  gezinsverzorger: { id: 'user-id-5', name: 'Lynne Robbins', first: 'Lynne', last: 'Robbins', aad: '00000000-0000-0000-0000-0000000000025' },
} as const;
export type PlaygroundRole = keyof typeof PEOPLE;
export const PLAYGROUND_ROLES = Object.keys(PEOPLE) as PlaygroundRole[];

function user(p: (typeof PEOPLE)[PlaygroundRole], indent: string): string {
  const mail = `${p.first.toLowerCase()}${p.last[0]!.toLowerCase()}@example.com`;
  return [
    `id: ${p.id}`,
    `name: ${p.name}`,
    `userPrincipleName: ${mail}`,
    `aadObjectId: ${p.aad}`,
    `givenName: ${p.first}`,
    `surname: ${p.last}`,
    `email: ${mail}`,
  ].join(`\n${indent}`);
}

export function playgroundConfig(as: PlaygroundRole): string {
  const others = PLAYGROUND_ROLES.filter((r) => r !== as);
  return `version: "0.1.1"
tenantId: 00000000-0000-0000-0000-0000000000001
bot:
  id: 00000000-0000-0000-0000-00000000000011
  name: Aanmeldbot
currentUser:
  ${user(PEOPLE[as], '  ')}
users:
${others.map((r) => `  - ${user(PEOPLE[r], '    ')}`).join('\n')}
personalChat:
  id: __PERSONAL_CHAT_ID__
groupChat:
  id: __GROUP_CHAT_ID__
  name: Groepschat
team:
  id: team-id
  name: Gezinscoaches Venray
  aadGroupId: 00000000-0000-0000-0000-000000000031
  channels:
    - id: channel-aanmeldingen-id
      name: Aanmeldingen
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const as = (process.argv[2] ?? 'verwijzer') as PlaygroundRole;
  if (!PLAYGROUND_ROLES.includes(as)) {
    process.stderr.write(`Onbekende rol "${as}". Kies uit: ${PLAYGROUND_ROLES.join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(playgroundConfig(as));
}
