import { z } from 'zod';
import { ROUTE_IDS } from './gemeente.config.js';

/** The shapes of an aanmelding (domain.md, "What an aanmelding holds"): one source of truth for the
 *  intake machine, the dialogs and the stored record. */

export const REFERRER_ROLES = ['huisarts', 'poh', 'casemanager', 'jgz', 'school', 'soj', 'ouder', 'anders'] as const;
export const ReferrerRoleSchema = z.enum(REFERRER_ROLES);
export type ReferrerRole = z.infer<typeof ReferrerRoleSchema>;

export const ConsentSchema = z.enum(['ja', 'nee', 'anoniem']);
export type Consent = z.infer<typeof ConsentSchema>;

export const MAX_AGE = 120;
export const ChildSchema = z.union([
  z.strictObject({ age: z.number().int().min(0).max(MAX_AGE) }),
  z.strictObject({ expected: z.literal(true) }),
]);
export type Child = z.infer<typeof ChildSchema>;
export const MAX_CHILDREN = 15;

/** What the referrer did about an acute safety concern (meldcode huiselijk geweld en kindermishandeling). */
export const SAFETY_ACTIONS = ['112-gebeld', 'veilig-thuis-gemeld', 'veilig-thuis-advies', 'meldcode-bezig', 'nog-niets'] as const;
export const SafetyActionSchema = z.enum(SAFETY_ACTIONS);
export type SafetyAction = z.infer<typeof SafetyActionSchema>;

export const HOUSEHOLDS = [
  'alleenstaande-moeder',
  'alleenstaande-vader',
  'gescheiden-ouders',
  'ouders-met-kinderen',
  'samengesteld-gezin',
  'anders',
] as const;
export const HouseholdSchema = z.enum(HOUSEHOLDS);
export type Household = z.infer<typeof HouseholdSchema>;

export const LEEFGEBIEDEN = [
  'pedagogisch',
  'psychisch',
  'praktisch',
  'lichamelijk',
  'omgang',
  'financien',
  'school',
  'sociaal-netwerk',
] as const;
export const LeefgebiedSchema = z.enum(LEEFGEBIEDEN);
export type Leefgebied = z.infer<typeof LeefgebiedSchema>;

export const EXPLANATION_MAX_LENGTH = 1000;

export const ContactDetailsSchema = z
  .strictObject({
    name: z.string().trim().min(2).max(100),
    phone: z
      .string()
      .trim()
      .regex(/^(\+|00)?[0-9][0-9 ()-]{7,18}$/)
      .optional(),
    email: z.email().max(200).optional(),
    address: z.string().trim().max(200).optional(),
  })
  .refine((c) => c.phone !== undefined || c.email !== undefined, { message: 'telefoon of e-mail is nodig', path: ['phone'] });
export type ContactDetails = z.infer<typeof ContactDetailsSchema>;

export const TriageResultSchema = z.strictObject({
  route: z.enum(ROUTE_IDS),
  urgent: z.boolean(),
  criteria: z.array(z.string()),
  reasons: z.array(z.string()).min(1),
});
export type TriageResult = z.infer<typeof TriageResultSchema>;

export const TeamsIdentitySchema = z.strictObject({
  id: z.string().min(1),
  aadObjectId: z.string().optional(),
  name: z.string().max(200),
});
export type TeamsIdentity = z.infer<typeof TeamsIdentitySchema>;

/** The answers of a finished intake, as stored. Identifying fields only exist with consent "ja". */
export const AanmeldingAnswersSchema = z.strictObject({
  service: z.enum(['gezinscoach', 'gezinsverzorger']),
  safety: z.strictObject({ concern: z.boolean(), action: SafetyActionSchema.optional() }),
  children: z.array(ChildSchema).min(1).max(MAX_CHILDREN),
  consent: z.strictObject({
    referral: ConsentSchema,
    /** Who had to consent, given the children's ages (under 12 parents, 12–15 both, 16+ the youth). */
    givenBy: z.array(z.string()),
    feedbackToHuisarts: z.boolean(),
    recordedAt: z.iso.datetime(),
  }),
  household: HouseholdSchema,
  wijk: z.string().min(1),
  hoofdvraag: z.array(LeefgebiedSchema).min(1),
  criteria: z.array(z.string()),
  specialistCareNeeded: z.boolean(),
  explanation: z.string().max(EXPLANATION_MAX_LENGTH).optional(),
  contact: ContactDetailsSchema.optional(),
});
export type AanmeldingAnswers = z.infer<typeof AanmeldingAnswersSchema>;

export const REFERENCE_PATTERN = /^AM-\d{4}-\d{4,}$/;

export const AanmeldingSchema = z
  .strictObject({
    reference: z.string().regex(REFERENCE_PATTERN),
    /** The conversation's intake this record came from: makes a retried submission idempotent. */
    intakeId: z.string().min(1),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    status: z.enum(['nieuw']),
    referrer: z.strictObject({
      identity: TeamsIdentitySchema,
      role: ReferrerRoleSchema,
      conversationId: z.string().min(1),
    }),
    answers: AanmeldingAnswersSchema,
    triage: TriageResultSchema,
  })
  .refine((a) => a.answers.consent.referral === 'ja' || a.answers.contact === undefined, {
    message: 'contactgegevens alleen met toestemming',
    path: ['answers', 'contact'],
  });
export type Aanmelding = z.infer<typeof AanmeldingSchema>;
export type NewAanmelding = Omit<Aanmelding, 'reference' | 'createdAt' | 'updatedAt' | 'status'>;
