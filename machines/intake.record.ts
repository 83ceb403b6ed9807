import { AanmeldingAnswersSchema, GV_CAUSES, type AanmeldingAnswers } from '../data/aanmelding.schema.js';
import type { TriageResult } from '../data/aanmelding.schema.js';
import { consentGivers } from './consent.js';
import { mayHoldIdentifyingData, type IntakeContext } from './intake.machine.js';
import type { TriageInput } from './triage.js';

/** What triage needs, from a (complete enough) intake. Missing answers count as "not the case". */
export function triageInputOf(context: IntakeContext): TriageInput {
  return {
    service: context.service,
    consent: context.consent?.referral ?? 'anoniem',
    safetyConcern: context.safety?.concern ?? false,
    safetySignal: context.safety?.signal !== undefined,
    children: context.children ?? [],
    criteria: context.criteria ?? [],
    specialistCareNeeded: context.specialistCareNeeded ?? false,
  };
}

/**
 * The answers as stored. Throws when the intake is not complete: only the summary may be submitted. With the route
 * it goes to: an aanmelding outside the target group keeps no contact details, whatever the intake holds.
 */
export function answersOf(context: IntakeContext, triage?: Pick<TriageResult, 'route'>): AanmeldingAnswers {
  const identifying = mayHoldIdentifyingData(context) && triage?.route !== 'buiten-doelgroep';
  return AanmeldingAnswersSchema.parse({
    service: context.service,
    safety: context.safety,
    children: context.children,
    consent: context.consent && {
      referral: context.consent.referral,
      givenBy: consentGivers(context.children ?? []),
      feedbackToHuisarts: identifying && context.consent.feedbackToHuisarts === true,
      recordedAt: context.consent.recordedAt,
    },
    household: context.household,
    wijk: context.wijk,
    hoofdvraag: context.hoofdvraag,
    // The short acute form asks no criteria (yet).
    criteria: context.criteria ?? (context.spoed ? [] : undefined),
    // The gezinsverzorger request does not ask it: rule 3 decides before rule 5 would.
    specialistCareNeeded: context.specialistCareNeeded ?? (context.service === 'gezinsverzorger' ? false : undefined),
    explanation: context.explanation ?? undefined,
    // Without consent "ja" nothing that identifies the family is stored (domain.md, privacy rules); nor for a family
    // outside the target group: nobody will call them, and the referrer has been told where to go instead.
    contact: identifying ? context.contact : undefined,
    eerderBegeleidDoor: identifying && context.contact ? context.eerderBegeleidDoor : undefined,
    gezinsverzorger:
      context.service === 'gezinsverzorger'
        ? {
            goal: context.goal,
            tasks: context.tasks,
            supportForm: context.supportForm,
            hoursPerWeek: context.hoursPerWeek,
            durationMonths: context.durationMonths,
            cause: context.cause,
            targetGroup: context.cause ? GV_CAUSES[context.cause] : undefined,
          }
        : undefined,
    spoed: context.spoed,
    huisartsPraktijk: identifying && context.consent?.feedbackToHuisarts === true ? context.huisartsPraktijk : undefined,
  });
}
