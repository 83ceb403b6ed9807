import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ReferrerRoleSchema } from './aanmelding.schema.js';
import { ConfigError } from './gemeente.config.js';
import { formatIssues } from './zod-messages.js';

/**
 * The team behind the referral channel: who coordinates, which professionals take cases (with their wijken,
 * linked practices and schools, and capacity), and which referrers belong to which practice.
 * People are identified by their Entra ID object id (aadObjectId), which Teams sends with every activity.
 */

export const PROFESSIONAL_ROLES = ['gezinscoach', 'gezinsverzorger', 'jeugdconsulent'] as const;
export const ProfessionalRoleSchema = z.enum(PROFESSIONAL_ROLES);
export type ProfessionalRole = z.infer<typeof ProfessionalRoleSchema>;

/** The weekdays as a Dutch rota writes them, Monday first. */
export const WEEKDAYS = ['ma', 'di', 'wo', 'do', 'vr', 'za', 'zo'] as const;
export const WeekdaySchema = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof WeekdaySchema>;

const PersonSchema = z.strictObject({
  aadObjectId: z.string().min(1),
  /** The Teams user id (29:...), when known: lets the card refresh for this person automatically. */
  teamsUserId: z.string().min(1).optional(),
  name: z.string().min(2).max(100),
});

export const ProfessionalSchema = PersonSchema.extend({
  role: ProfessionalRoleSchema,
  wijken: z.array(z.string().min(1)).default([]),
  praktijken: z.array(z.string().min(1)).default([]),
  scholen: z.array(z.string().min(1)).default([]),
  /** Their expertise, by the names of the team's `expertise` (e.g. "lvb", "scheiding", "taal-cultuur"). */
  expertise: z.array(z.string().min(1)).optional(),
  /** Capacity norms (seed 004): cases at the same time, of which waakvlam and complex-intensief, and hours a week. */
  capacity: z.strictObject({
    maxCases: z.number().int().min(1).max(100),
    maxWaakvlam: z.number().int().min(0).max(50),
    maxComplexIntensief: z.number().int().min(0).max(50),
    hoursPerWeek: z.number().min(1).max(60),
  }),
  /**
   * Jeugdconsulenten only: the weekdays they are on duty (dienst) for SPOED aanmeldingen, which mention them in the
   * channel. On a day nobody is on duty, every jeugdconsulent of the team is mentioned.
   */
  dienst: z.array(WeekdaySchema).min(1).optional(),
});
export type Professional = z.infer<typeof ProfessionalSchema>;

export const TeamConfigSchema = z
  .strictObject({
    name: z.string().min(2).max(100),
    coordinators: z.array(PersonSchema).min(1),
    professionals: z.array(ProfessionalSchema).min(1),
    /**
     * Who agrees to waakvlam and complex-intensief (seed 004: checked with the gedragswetenschapper). May also be a
     * coordinator or a professional of the team.
     */
    gedragswetenschappers: z.array(PersonSchema).default([]),
    /** The team's norm for complex-intensief cases at the same time (seed 004: about 15 in the team). */
    normComplexIntensief: z.number().int().min(1).max(500).default(15),
    /**
     * Expertise the assign choices weigh ("verdeeld op basis van expertise"): a name with the hoofdvraag (leefgebied)
     * and criteria ids it fits, e.g. { "lvb": ["leervermogen"], "scheiding": ["omgang"], "taal-cultuur": ["cultuur-taal"] }.
     */
    expertise: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).optional(),
    /** Referrers by practice, so the card can say "huisarts, Huisartsenpraktijk De Linde". */
    verwijzers: z
      .array(
        PersonSchema.extend({
          praktijk: z.string().min(2).max(100),
          /**
           * Their role as the team knows it (e.g. "casemanager" of a WIJ-team): what they may request (a gezinsverzorger,
           * gemeente configuration gezinsverzorgerAanvragers) comes from this, never from what they type. A huisarts or
           * POH is not asked the role in the intake (it can still be changed).
           */
          rol: ReferrerRoleSchema.optional(),
          /** The wijk or dorp to suggest for this referrer's families; default: the first wijk of the practice's coach. */
          wijk: z.string().min(1).optional(),
        }),
      )
      .default([]),
    /**
     * The huisartspraktijken of the families, with whom to tell in Teams (a practice's contact person) when the
     * family allows informing its huisarts; without a contact a letter goes into the dossier for the assignee.
     */
    praktijken: z.array(z.strictObject({ naam: z.string().min(2).max(100), contact: PersonSchema.optional() })).default([]),
  })
  .superRefine((team, ctx) => {
    const seen = new Map<string, string>();
    const check = (list: { aadObjectId: string }[], key: string) =>
      list.forEach((person, index) => {
        const where = `${key}.${index}`;
        if (key !== 'verwijzers' && seen.has(person.aadObjectId) && seen.get(person.aadObjectId) !== 'coordinators') {
          ctx.addIssue({ code: 'custom', path: [key, index, 'aadObjectId'], message: `staat al bij ${seen.get(person.aadObjectId)}` });
        }
        if (!seen.has(person.aadObjectId)) seen.set(person.aadObjectId, where.split('.')[0]!);
      });
    check(team.coordinators, 'coordinators');
    check(team.professionals, 'professionals');
    team.professionals.forEach((p, index) => {
      for (const name of p.expertise ?? []) {
        if (!team.expertise || !(name in team.expertise)) ctx.addIssue({ code: 'custom', path: ['professionals', index, 'expertise'], message: `"${name}" staat niet in expertise van het team` });
      }
      if (p.dienst && p.role !== 'jeugdconsulent') {
        ctx.addIssue({ code: 'custom', path: ['professionals', index, 'dienst'], message: `alleen een jeugdconsulent heeft dienst voor SPOED; ${p.name} is ${p.role}` });
      }
      const twice = p.dienst?.filter((day, i, days) => days.indexOf(day) !== i) ?? [];
      if (twice.length > 0) ctx.addIssue({ code: 'custom', path: ['professionals', index, 'dienst'], message: `${twice.join(', ')} staat er meer dan één keer in` });
    });
  });
export type TeamConfig = z.infer<typeof TeamConfigSchema>;

const TEAMS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'teams');

/** TEAM_CONFIG (a path) or else data/teams/voorbeeld.json: the Agents Playground's people as an example team. */
export function teamConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEAM_CONFIG ? path.resolve(env.TEAM_CONFIG) : path.join(TEAMS_DIR, 'voorbeeld.json');
}

/**
 * Whether a team is the example team (or a copy of it): it has people of the Agents Playground's example users.
 * Such a team must never serve a real municipality.
 */
export function isExampleTeam(team: TeamConfig): boolean {
  const example = loadTeamConfig(path.join(TEAMS_DIR, 'voorbeeld.json'));
  const ids = new Set([...example.coordinators, ...example.professionals].map((p) => p.aadObjectId));
  return [...team.coordinators, ...team.professionals].some((p) => ids.has(p.aadObjectId));
}

export function loadTeamConfig(file: string = teamConfigPath()): TeamConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, [(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'bestand bestaat niet' : 'geen geldige JSON']);
  }
  const parsed = TeamConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error));
  return parsed.data;
}
