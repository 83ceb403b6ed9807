import type { Aanmelding, CaseEvent, CLOSE_REASONS, EVALUATION_OUTCOMES, WAITLIST_REASONS } from '../data/aanmelding.schema.js';
import { addMonths, dutchDate, localDate } from './dates.js';
import type { Professional, ProfessionalRole, TeamConfig } from '../data/team.config.js';

/**
 * What happens to an aanmelding after it is posted: claim, assign, waiting list, a question to the referrer,
 * close, and reading the dossier. Pure: the caller passes the time, the team and the caseloads, and turns the
 * returned effects into messages, card updates and audit entries.
 */

export interface Actor {
  aadObjectId: string;
  name: string;
}

export type CaseRequest =
  | { kind: 'claim' }
  | { kind: 'assign'; professional: string }
  | { kind: 'waitlist'; reason: (typeof WAITLIST_REASONS)[number] }
  | { kind: 'ask'; question: string; questionId: string }
  | { kind: 'close'; reason: (typeof CLOSE_REASONS)[number] }
  | { kind: 'dossier' }
  | { kind: 'answer'; questionId: string; answer: string }
  /** A gezinsverzorger trajectory's next evaluation moment, set on the card. */
  | { kind: 'evaluation-date'; dueOn: string }
  /** The outcome of an evaluation, recorded from the reminder by the casemanager or the gezinsverzorger. */
  | { kind: 'evaluate'; dueOn: string; outcome: (typeof EVALUATION_OUTCOMES)[number]; nextDueOn?: string; reason?: (typeof CLOSE_REASONS)[number] };

export type CaseEffect =
  | { kind: 'tell-referrer'; about: 'opgepakt' | 'wachtlijst' | 'vraag' | 'afgesloten' }
  | { kind: 'send-dossier'; to: Actor }
  | { kind: 'forward-answer'; to: Actor; questionId: string };

export type CaseDecision =
  | { ok: true; next: Aanmelding; effects: CaseEffect[]; changed: boolean }
  | { ok: false; refusal: string };

export type TeamRole = 'coordinator' | ProfessionalRole;

export function teamRoleOf(aadObjectId: string, team: TeamConfig): TeamRole | undefined {
  if (team.coordinators.some((c) => c.aadObjectId === aadObjectId)) return 'coordinator';
  return team.professionals.find((p) => p.aadObjectId === aadObjectId)?.role;
}

/** Which professionals may take a case on this route (keukentafelgesprek: gezinscoach with the jeugdconsulent). */
export function rolesForRoute(route: Aanmelding['triage']['route']): ProfessionalRole[] {
  switch (route) {
    case 'gezinsverzorger':
      return ['gezinsverzorger'];
    case 'jeugdconsulent':
      return ['jeugdconsulent'];
    default:
      return ['gezinscoach', 'jeugdconsulent'];
  }
}

/**
 * An anonymous consultation, or a case sent without consent for safety alone: the team does not approach the family
 * but consults the referrer (domain.md, privacy rules). Whoever takes it on talks with the referrer.
 */
export function isConsultation(a: Pick<Aanmelding, 'answers'>): boolean {
  // A short acute form has no consent yet: the jeugdconsulent calls the referrer back first.
  return a.answers.consent?.referral !== 'ja';
}

const ROLE_LABELS: Record<ProfessionalRole, string> = {
  gezinscoach: 'gezinscoach',
  gezinsverzorger: 'gezinsverzorger',
  jeugdconsulent: 'jeugdconsulent',
};

export interface CaseOptions {
  /** Months from assignment to a gezinsverzorger's first evaluation (gemeente configuration, default 3). */
  evaluationMonths?: number;
}

export function decide(aanmelding: Aanmelding, request: CaseRequest, actor: Actor, team: TeamConfig, at: Date, options: CaseOptions = {}): CaseDecision {
  const evaluationMonths = options.evaluationMonths ?? 3;
  const today = localDate(at);
  // A gezinsverzorger trajectory gets evaluation moments with the casemanager from the day it is assigned.
  const firstEvaluation = aanmelding.triage.route === 'gezinsverzorger' ? { evaluation: { dueOn: addMonths(today, evaluationMonths) } } : {};
  const role = teamRoleOf(actor.aadObjectId, team);
  const isCoordinator = role === 'coordinator';
  const isAssignee = aanmelding.assignee?.aadObjectId === actor.aadObjectId;
  const event = (action: CaseEvent['action'], detail?: string): CaseEvent => ({
    at: at.toISOString(),
    action,
    by: { aadObjectId: actor.aadObjectId, name: actor.name },
    ...(detail ? { detail } : {}),
  });
  const change = (next: Partial<Aanmelding>, history: CaseEvent, effects: CaseEffect[] = []): CaseDecision => ({
    ok: true,
    changed: true,
    next: { ...aanmelding, ...next, history: [...aanmelding.history, history] },
    effects,
  });
  const refuse = (refusal: string): CaseDecision => ({ ok: false, refusal });

  if (request.kind === 'dossier') {
    if (!isCoordinator && !isAssignee) return refuse('Alleen de coördinator en de professional aan wie de aanmelding is toegewezen, kunnen het dossier inzien.');
    return { ok: true, changed: false, next: aanmelding, effects: [{ kind: 'send-dossier', to: actor }] };
  }
  // Checked before the answer too: a late answer must not reopen a closed case.
  if (aanmelding.status === 'afgesloten') return refuse('Deze aanmelding is afgesloten; er kan niets meer aan veranderen.');
  if (request.kind === 'answer') {
    if (actor.aadObjectId !== (aanmelding.referrer.identity.aadObjectId ?? aanmelding.referrer.identity.id)) {
      return refuse('Alleen de verwijzer kan deze vraag beantwoorden.');
    }
    const question = aanmelding.questions.find((q) => q.id === request.questionId);
    if (!question) return refuse('Die vraag bestaat niet (meer).');
    if (question.answer !== undefined) return refuse('Deze vraag is al beantwoord.');
    const questions = aanmelding.questions.map((q) => (q.id === request.questionId ? { ...q, answer: request.answer, answeredAt: at.toISOString() } : q));
    const stillOpen = questions.some((q) => q.answer === undefined);
    return change(
      { questions, status: stillOpen ? 'meer-informatie' : aanmelding.assignee ? 'toegewezen' : aanmelding.waitlist ? 'wachtlijst' : 'nieuw' },
      event('antwoord', 'informatie aangevuld door de verwijzer'),
      [{ kind: 'forward-answer', to: question.askedBy, questionId: question.id }],
    );
  }

  switch (request.kind) {
    case 'claim': {
      if (role === undefined || role === 'coordinator') return refuse('Alleen een professional uit het team kan een aanmelding oppakken. Coördinatoren kiezen "Toewijzen aan…".');
      if (aanmelding.assignee) {
        return isAssignee
          ? { ok: true, changed: false, next: aanmelding, effects: [] }
          : refuse(`Deze aanmelding is al opgepakt door ${aanmelding.assignee.name}${isConsultation(aanmelding) ? ', die met de verwijzer overlegt' : ''}.`);
      }
      if (!rolesForRoute(aanmelding.triage.route).includes(role)) {
        return refuse(`Deze aanmelding is voor de route ${aanmelding.triage.route}; als ${ROLE_LABELS[role]} kun je hem niet oppakken. Vraag de coördinator.`);
      }
      return change(
        { status: 'toegewezen', assignee: { aadObjectId: actor.aadObjectId, name: actor.name, role }, waitlist: undefined, ...firstEvaluation },
        event('opgepakt', isConsultation(aanmelding) ? `in overleg met de verwijzer: ${actor.name}` : `opgepakt door ${actor.name}`),
        [
          { kind: 'tell-referrer', about: 'opgepakt' },
          { kind: 'send-dossier', to: actor },
        ],
      );
    }
    case 'assign': {
      if (!isCoordinator) return refuse('Alleen een coördinator kan een aanmelding toewijzen.');
      const professional = team.professionals.find((p) => p.aadObjectId === request.professional);
      if (!professional) return refuse('Die professional staat niet in het team.');
      if (aanmelding.assignee?.aadObjectId === professional.aadObjectId) return { ok: true, changed: false, next: aanmelding, effects: [] };
      const target = { aadObjectId: professional.aadObjectId, name: professional.name };
      return change(
        { status: 'toegewezen', assignee: { ...target, role: professional.role }, waitlist: undefined, ...(aanmelding.evaluation ? {} : firstEvaluation) },
        event('toegewezen', `toegewezen aan ${professional.name} door ${actor.name}`),
        [
          { kind: 'tell-referrer', about: 'opgepakt' },
          { kind: 'send-dossier', to: target },
        ],
      );
    }
    case 'waitlist': {
      if (!isCoordinator) return refuse('Alleen een coördinator kan een aanmelding op de wachtlijst zetten.');
      // Not only in status toegewezen: an assignee's case stays theirs while they wait for the referrer's answer.
      if (aanmelding.assignee) return refuse(`Deze aanmelding is al toegewezen aan ${aanmelding.assignee.name}.`);
      if (aanmelding.status === 'wachtlijst') return { ok: true, changed: false, next: aanmelding, effects: [] };
      return change(
        { status: 'wachtlijst', waitlist: { reason: request.reason, since: at.toISOString() } },
        event('wachtlijst', `op de wachtlijst gezet door ${actor.name}`),
        [{ kind: 'tell-referrer', about: 'wachtlijst' }],
      );
    }
    case 'ask': {
      if (!isCoordinator && !isAssignee) return refuse('Alleen de coördinator of de professional aan wie de aanmelding is toegewezen, kan de verwijzer iets vragen.');
      if (aanmelding.questions.some((q) => q.id === request.questionId)) return { ok: true, changed: false, next: aanmelding, effects: [] };
      return change(
        {
          status: 'meer-informatie',
          questions: [...aanmelding.questions, { id: request.questionId, askedBy: { aadObjectId: actor.aadObjectId, name: actor.name }, question: request.question, askedAt: at.toISOString() }],
        },
        event('vraag', `meer informatie gevraagd door ${actor.name}`),
        [{ kind: 'tell-referrer', about: 'vraag' }],
      );
    }
    case 'evaluation-date': {
      if (!isCoordinator && !isAssignee) return refuse('Alleen de coördinator of de gezinsverzorger aan wie de aanmelding is toegewezen, kan de evaluatiedatum wijzigen.');
      if (!aanmelding.evaluation) return refuse('Deze aanmelding heeft geen evaluatiemomenten.');
      // A date of today or earlier means: evaluate now (the reminders go out at once).
      return change({ evaluation: { ...aanmelding.evaluation, dueOn: request.dueOn } }, event('evaluatie', `evaluatie gepland op ${dutchDate(request.dueOn)} door ${actor.name}`));
    }
    case 'evaluate': {
      const isReferrer = actor.aadObjectId === (aanmelding.referrer.identity.aadObjectId ?? aanmelding.referrer.identity.id);
      if (!isReferrer && !isAssignee) return refuse('Alleen de casemanager en de gezinsverzorger leggen de evaluatie vast.');
      if (!aanmelding.evaluation || aanmelding.evaluation.dueOn !== request.dueOn) return refuse('Deze evaluatie is al vastgelegd.');
      switch (request.outcome) {
        case 'doorgaan':
          if (!request.nextDueOn || request.nextDueOn <= today) return refuse('Kies voor Doorgaan een nieuwe evaluatiedatum na vandaag.');
          return change({ evaluation: { ...aanmelding.evaluation, dueOn: request.nextDueOn } }, event('evaluatie', `evaluatie: doorgaan, volgende evaluatie ${dutchDate(request.nextDueOn)} (${actor.name})`));
        case 'afschalen':
          return change(
            { evaluation: { ...aanmelding.evaluation, dueOn: addMonths(today, evaluationMonths) } },
            event('evaluatie', `evaluatie: afgeschaald, volgende evaluatie ${dutchDate(addMonths(today, evaluationMonths))} (${actor.name})`),
          );
        case 'afsluiten':
          return change(
            { status: 'afgesloten', closure: { reason: request.reason ?? 'doelen-behaald', at: at.toISOString() }, evaluation: undefined },
            event('afgesloten', `afgesloten na evaluatie door ${actor.name}`),
            isReferrer ? [] : [{ kind: 'tell-referrer', about: 'afgesloten' }],
          );
      }
      break;
    }
    case 'close': {
      // Nobody else can close a case nobody has (one that stood still for months, issue 14): the coordinator can.
      if (!isAssignee && !(isCoordinator && !aanmelding.assignee)) {
        return refuse('Alleen de professional aan wie de aanmelding is toegewezen, kan hem afsluiten; zolang niemand hem heeft, de coördinator.');
      }
      return change(
        { status: 'afgesloten', closure: { reason: request.reason, at: at.toISOString() } },
        event('afgesloten', `afgesloten door ${actor.name}`),
        [{ kind: 'tell-referrer', about: 'afgesloten' }],
      );
    }
  }
}

export interface Candidate {
  professional: Professional;
  /** Linked to the referrer's practice or the family's wijk (seed 004: every gezinscoach has a wijk and its practices). */
  linked: boolean;
  fitsRoute: boolean;
  activeCases: number;
  room: number;
}

/**
 * What counts in a caseload of one open case: who has it, in which role, and for a gezinsverzorger the hours a week.
 * The stores hand these over without the rest of the record, so a card's choices cost the same however many
 * aanmeldingen are stored.
 */
export interface Assignment {
  aadObjectId: string;
  role: ProfessionalRole;
  hoursPerWeek?: number;
}

/** The assignments of the open cases among these aanmeldingen. */
export function assignmentsOf(all: readonly Aanmelding[]): Assignment[] {
  return all.flatMap((a) =>
    a.assignee && a.status !== 'afgesloten'
      ? [{ aadObjectId: a.assignee.aadObjectId, role: a.assignee.role, ...(a.answers.gezinsverzorger ? { hoursPerWeek: a.answers.gezinsverzorger.hoursPerWeek } : {}) }]
      : [],
  );
}

/** Active cases per professional. */
export function loadsOf(assignments: readonly Assignment[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { aadObjectId } of assignments) counts.set(aadObjectId, (counts.get(aadObjectId) ?? 0) + 1);
  return counts;
}

/** Active cases per professional: assigned and not closed. */
export function caseloads(all: readonly Aanmelding[]): Map<string, number> {
  return loadsOf(assignmentsOf(all));
}

/** The choices for "Toewijzen aan…": fitting role first, then with room, then linked to the practice or wijk, then most room. */
export function assignCandidates(aanmelding: Aanmelding, team: TeamConfig, loads: Map<string, number>): Candidate[] {
  const roles = rolesForRoute(aanmelding.triage.route);
  return team.professionals
    .map((professional) => {
      const activeCases = loads.get(professional.aadObjectId) ?? 0;
      return {
        professional,
        linked:
          professional.wijken.includes(aanmelding.answers.wijk) ||
          (aanmelding.referrer.praktijk !== undefined && professional.praktijken.includes(aanmelding.referrer.praktijk)),
        fitsRoute: roles.includes(professional.role),
        activeCases,
        room: Math.max(0, professional.capacity.maxCases - activeCases),
      };
    })
    .sort(
      (a, b) =>
        Number(b.fitsRoute) - Number(a.fitsRoute) ||
        // Someone with room before the linked professional who is full (seed 004: another professional with
        // room picks it up), then the linked one first.
        Number(b.room > 0) - Number(a.room > 0) ||
        Number(b.linked) - Number(a.linked) ||
        b.room - a.room ||
        a.professional.name.localeCompare(b.professional.name),
    );
}

/** Gezinsverzorger trajectories whose evaluation is due on `today` or earlier and not yet reminded for that date. */
export function dueEvaluations(all: readonly Aanmelding[], today: string): Aanmelding[] {
  return all.filter(
    (a) => a.status !== 'afgesloten' && a.evaluation !== undefined && a.evaluation.dueOn <= today && a.evaluation.remindedFor !== a.evaluation.dueOn,
  );
}
