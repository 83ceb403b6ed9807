import { z } from 'zod';
import { IntensitySchema, ROUTE_IDS } from './gemeente.config.js';

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

/**
 * A concern about safety that is not acute (a zorgsignaal): where the referrer is in the meldcode's five steps
 * (1 signalen in kaart, 2 collegiaal overleg / Veilig Thuis geraadpleegd, 3 gesprek, 4 wegen, 5 beslissen), or
 * that they do not follow it (yet).
 */
export const MELDCODE_STEPS = ['stap-1', 'stap-2', 'stap-3', 'stap-4', 'stap-5', 'geen'] as const;
export const MeldcodeStepSchema = z.enum(MELDCODE_STEPS);
export type MeldcodeStep = z.infer<typeof MeldcodeStepSchema>;
export const SafetySchema = z.strictObject({ concern: z.boolean(), action: SafetyActionSchema.optional(), signal: z.strictObject({ meldcode: MeldcodeStepSchema }).optional() });

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

/** A Dutch or international phone number as people type it: "06 12345678", "+31 6 1234 5678", "0478-523333". */
export const PHONE_PATTERN = /^(\+|00)?[0-9][0-9 ()-]{7,18}$/;

export const ContactDetailsSchema = z
  .strictObject({
    name: z.string().trim().min(2).max(100),
    phone: z.string().trim().regex(PHONE_PATTERN).optional(),
    email: z.email().max(200).optional(),
    address: z.string().trim().max(200).optional(),
  })
  .refine((c) => c.phone !== undefined || c.email !== undefined, { message: 'telefoon of e-mail is nodig', path: ['phone'] });
export type ContactDetails = z.infer<typeof ContactDetailsSchema>;

/** What a casemanager asks of a gezinsverzorger (seed 000: tasks, form of support, target group). */
export const GV_TASKS = ['huishoudelijk', 'verzorgend', 'begeleidend', 'omgang'] as const;
export const GV_SUPPORT_FORMS = ['ondersteunend', 'gedeeltelijk-compenserend', 'volledig-compenserend', 'nazorg', 'overbrugging'] as const;
/** The cause decides the target group: a temporary drastic event, or the parents' own long-term problems. */
export const GV_CAUSES = {
  ziekte: 'tijdelijk',
  operatie: 'tijdelijk',
  geboorte: 'tijdelijk',
  lvb: 'langdurig',
  psychiatrie: 'langdurig',
  verslaving: 'langdurig',
  armoede: 'langdurig',
  'chronische-ziekte': 'langdurig',
} as const;
export type GvCause = keyof typeof GV_CAUSES;
export const GV_CAUSE_IDS = Object.keys(GV_CAUSES) as [GvCause, ...GvCause[]];
export const GV_MAX_HOURS = 40;
export const GV_MAX_MONTHS = 36;

export const GezinsverzorgerRequestSchema = z.strictObject({
  goal: z.string().trim().min(5).max(500),
  tasks: z.array(z.enum(GV_TASKS)).min(1),
  supportForm: z.enum(GV_SUPPORT_FORMS),
  hoursPerWeek: z.number().min(0.5).max(GV_MAX_HOURS),
  durationMonths: z.number().int().min(1).max(GV_MAX_MONTHS),
  cause: z.enum(GV_CAUSE_IDS),
  targetGroup: z.enum(['tijdelijk', 'langdurig']),
});
export type GezinsverzorgerRequest = z.infer<typeof GezinsverzorgerRequestSchema>;

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

/** The one line of the short acute form: what is going on, without anything that identifies the family. */
export const SPOED_SITUATION_MAX_LENGTH = 200;

/**
 * The short acute form ("Nu met spoed versturen", domain.md "Safety in practice"): sent first with the minimum
 * (ages, wijk, one line, how to reach the referrer), completed later in the same aanmelding. Without consent
 * asked yet, nothing here identifies the family; the referrer's own phone number is the professional's.
 */
export const SpoedFormSchema = z.strictObject({
  situation: z.string().trim().min(3).max(SPOED_SITUATION_MAX_LENGTH),
  referrerPhone: z.string().trim().regex(PHONE_PATTERN),
  /** When the referrer filled in the rest (the full intake); absent while only the short form is known. */
  completedAt: z.iso.datetime().optional(),
});
export type SpoedForm = z.infer<typeof SpoedFormSchema>;

const AnswersConsentSchema = z.strictObject({
  referral: ConsentSchema,
  /** Who had to consent, given the children's ages (under 12 parents, 12–15 both, 16+ the youth). */
  givenBy: z.array(z.string()),
  feedbackToHuisarts: z.boolean(),
  recordedAt: z.iso.datetime(),
});

/**
 * The answers of a finished intake, as stored. Identifying fields only exist with consent "ja". A short acute form
 * (spoed without completedAt) has no consent, household, hoofdvraag or specialist answer yet.
 */
export const AanmeldingAnswersSchema = z
  .strictObject({
  service: z.enum(['gezinscoach', 'gezinsverzorger']),
  safety: SafetySchema,
  children: z.array(ChildSchema).min(1).max(MAX_CHILDREN),
  consent: AnswersConsentSchema.optional(),
  household: HouseholdSchema.optional(),
  wijk: z.string().min(1),
  hoofdvraag: z.array(LeefgebiedSchema).min(1).optional(),
  criteria: z.array(z.string()),
  specialistCareNeeded: z.boolean().optional(),
  explanation: z.string().max(EXPLANATION_MAX_LENGTH).optional(),
  contact: ContactDetailsSchema.optional(),
  /** Only for a casemanager's request for a gezinsverzorger. */
  gezinsverzorger: GezinsverzorgerRequestSchema.optional(),
  /** Only when it started as the short acute form. */
  spoed: SpoedFormSchema.optional(),
  /**
   * The family's own huisartspraktijk (a name from the team configuration's praktijken, or the referrer's own
   * practice): told at assignment and closure when consent.feedbackToHuisarts allows it (domain.md).
   */
  huisartsPraktijk: z.string().trim().min(2).max(100).optional(),
  /** Continuity: the professional of the team (aadObjectId) who supported this family before, if the referrer knows. */
  eerderBegeleidDoor: z.string().min(1).max(100).optional(),
  })
  .superRefine((answers, ctx) => {
    // Only a short acute form may lack these; once completed (or sent as a whole) they are all there.
    if (answers.spoed && !answers.spoed.completedAt) return;
    for (const field of ['consent', 'household', 'hoofdvraag', 'specialistCareNeeded'] as const) {
      if (answers[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'ontbreekt' });
    }
  });
export type AanmeldingAnswers = z.infer<typeof AanmeldingAnswersSchema>;

export const REFERENCE_PATTERN = /^AM-\d{4}-\d{4,}$/;

/** Where the bot can write to someone later (a proactive message): Bot Framework's conversation reference. */
export const ConversationRefSchema = z.looseObject({
  serviceUrl: z.string().min(1),
  channelId: z.string().min(1),
  conversation: z.looseObject({ id: z.string().min(1) }),
  bot: z.looseObject({ id: z.string() }).optional(),
  user: z.looseObject({ id: z.string() }).optional(),
});
export type ConversationRef = z.infer<typeof ConversationRefSchema>;

/** The life of a case after the aanmelding (domain.md: assign, waiting list, more information, close). */
export const CASE_STATUSES = ['nieuw', 'toegewezen', 'wachtlijst', 'meer-informatie', 'afgesloten'] as const;
export const CaseStatusSchema = z.enum(CASE_STATUSES);
export type CaseStatus = z.infer<typeof CaseStatusSchema>;

export const CASE_ACTIONS = ['aangemaakt', 'geplaatst', 'opgepakt', 'toegewezen', 'wachtlijst', 'vraag', 'antwoord', 'afgesloten', 'evaluatie', 'aangevuld', 'intensiteit', 'akkoord', 'doel', 'maatwerk'] as const;

/** What an evaluation of a trajectory decides (issue 15: doorgaan, afschalen, afsluiten). */
export const EVALUATION_OUTCOMES = ['doorgaan', 'afschalen', 'afsluiten'] as const;

export const WAITLIST_REASONS = ['geen-ruimte', 'gezin-later', 'wacht-op-overleg', 'anders'] as const;
/**
 * Why a case closed, as the sturingsmatrix counts uitstroom (seed 004: "reden afsluiting", "doorverwezen + naam
 * organisatie", "uitval"). The values of earlier versions are all still here, so older records read as they were.
 */
export const CLOSE_REASONS = [
  'doelen-behaald',
  'afgeschaald-waakvlam',
  'doorverwezen-jeugdconsulent',
  'doorverwezen-specialistisch',
  'doorverwezen-voorliggend-veld',
  'doorverwezen-wijkteam',
  'eenzijdig-gestopt',
  'verhuisd',
  'anders',
] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** A closure that hands the family on: the receiving organisation is asked with it. */
export function isReferredOn(reason: CloseReason): boolean {
  return reason.startsWith('doorverwezen-');
}

export const GOAL_MAX_LENGTH = 500;
export const SATISFACTION_MIN = 1;
export const SATISFACTION_MAX = 10;

/** How a case closed: the reason, where the family went (a configured organisation) and the family's mark (1–10). */
export const ClosureSchema = z.strictObject({
  reason: z.enum(CLOSE_REASONS),
  at: z.iso.datetime(),
  /** The receiving organisation, from the gemeente configuration's organisaties (seed 004: "naam organisatie"). */
  referredTo: z.string().trim().min(2).max(100).optional(),
  /** The client satisfaction the assignee recorded, 1 to 10 (seed 004: klanttevredenheid). */
  satisfaction: z.number().int().min(SATISFACTION_MIN).max(SATISFACTION_MAX).optional(),
});
export type Closure = z.infer<typeof ClosureSchema>;

const ActorSchema = z.strictObject({ aadObjectId: z.string().min(1), name: z.string() });

export const AssigneeSchema = z.strictObject({ aadObjectId: z.string().min(1), name: z.string(), role: z.enum(['gezinscoach', 'gezinsverzorger', 'jeugdconsulent']) });
export type Assignee = z.infer<typeof AssigneeSchema>;

export const CaseEventSchema = z.strictObject({
  at: z.iso.datetime(),
  action: z.enum(CASE_ACTIONS),
  by: ActorSchema,
  /** Shown on the channel card: never family data (names of professionals, reasons from fixed lists). */
  detail: z.string().max(200).optional(),
});
export type CaseEvent = z.infer<typeof CaseEventSchema>;

export const AanmeldingSchema = z
  .strictObject({
    reference: z.string().regex(REFERENCE_PATTERN),
    /** The conversation's intake this record came from: makes a retried submission idempotent. */
    intakeId: z.string().min(1),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    /** Raised by every change: two coordinators acting on the same card cannot both win. */
    version: z.number().int().min(1),
    status: CaseStatusSchema,
    referrer: z.strictObject({
      identity: TeamsIdentitySchema,
      role: ReferrerRoleSchema,
      conversationId: z.string().min(1),
      praktijk: z.string().optional(),
      /** For telling the referrer who picked the case up, in their 1:1 chat. */
      conversation: ConversationRefSchema.optional(),
    }),
    answers: AanmeldingAnswersSchema,
    triage: TriageResultSchema,
    /** Who picked the case up first (or was assigned it first): the case is 'toegewezen' from then on. */
    assignee: AssigneeSchema.optional(),
    /**
     * A keukentafelgesprek's second person (seed 004: the gezinscoach together with the jeugdconsulent), in the role
     * the first one does not have. Kept beside `assignee` so that every record and reader of one assignee stays as it was.
     */
    coAssignee: AssigneeSchema.optional(),
    /** How much support the running case gets; absent means licht. Waakvlam and complex-intensief wait for the gedragswetenschapper. */
    intensity: z
      .strictObject({
        level: IntensitySchema,
        since: z.iso.datetime(),
        by: ActorSchema,
        agreed: z.strictObject({ by: ActorSchema, at: z.iso.datetime() }).optional(),
      })
      .optional(),
    waitlist: z.strictObject({ reason: z.enum(WAITLIST_REASONS), since: z.iso.datetime() }).optional(),
    closure: ClosureSchema.optional(),
    /**
     * The trajectory's goal, agreed with the family (seed 004: "doelen en beoogde resultaten"). Free text about the
     * family: only in the dossier, never on the channel card (which says only that there is one).
     */
    goal: z.strictObject({ text: z.string().trim().min(3).max(GOAL_MAX_LENGTH), at: z.iso.datetime(), by: ActorSchema }).optional(),
    /**
     * A maatwerkvoorziening running beside the gezinscoach (seed 004: "gelijktijdig ingezet"), from this date on;
     * both keep running.
     */
    maatwerk: z.strictObject({ since: z.iso.date(), at: z.iso.datetime(), by: ActorSchema }).optional(),
    /** A gezinsverzorger's hours a week now, once changed (afschalen); absent: what the casemanager asked. */
    hoursPerWeek: z.number().min(0.5).max(GV_MAX_HOURS).optional(),
    questions: z
      .array(
        z.strictObject({
          id: z.string().min(1),
          askedBy: ActorSchema,
          question: z.string().min(1).max(1000),
          askedAt: z.iso.datetime(),
          answer: z.string().max(2000).optional(),
          answeredAt: z.iso.datetime().optional(),
        }),
      )
      .default([]),
    /** A trajectory's next evaluation moment (a date, YYYY-MM-DD): gezinsverzorger with the casemanager, gezinscoach with the family. */
    evaluation: z
      .strictObject({
        dueOn: z.iso.date(),
        /** The due date a reminder was sent for: never twice for the same date. */
        remindedFor: z.iso.date().optional(),
      })
      .optional(),
    /** A SPOED aanmelding nobody picked up: the last level at which the coordinators were warned, and when (never twice per level). */
    escalation: z.strictObject({ level: z.number().int().min(1).max(2), at: z.iso.datetime() }).optional(),
    /** The card in the team channel, once posted. */
    post: z
      .strictObject({
        service: z.enum(['gezinscoach', 'gezinsverzorger', 'jeugdconsulent']),
        conversationId: z.string().min(1),
        activityId: z.string().min(1),
        serviceUrl: z.string().min(1),
        postedAt: z.iso.datetime(),
      })
      .optional(),
    history: z.array(CaseEventSchema).default([]),
    /** The last change a "stilstand" notice to the coordinators went out for (bot/idle-cases.ts): never twice for one quiet period. */
    idleNotice: z.strictObject({ since: z.iso.datetime() }).optional(),
    /** When the retention period removed the family's identifying data (bot/retention.ts). */
    purgedAt: z.iso.datetime().optional(),
  })
  .refine((a) => a.answers.consent?.referral === 'ja' || a.answers.contact === undefined, {
    message: 'contactgegevens alleen met toestemming',
    path: ['answers', 'contact'],
  });
export type Aanmelding = z.infer<typeof AanmeldingSchema>;
export type NewAanmelding = Pick<Aanmelding, 'intakeId' | 'referrer' | 'answers' | 'triage'>;
