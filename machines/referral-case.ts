import { isReferredOn, type Aanmelding, type Assignee, type CaseEvent, type CloseReason, type EVALUATION_OUTCOMES, type WAITLIST_REASONS } from '../data/aanmelding.schema.js';
import type { Intensity } from '../data/gemeente.config.js';
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
  /** With an intensity when the coordinator sets it at assignment. */
  | { kind: 'assign'; professional: string; intensity?: Intensity }
  /** The intensity of a running case, set later on the card by an assignee or a coordinator. */
  | { kind: 'intensity'; level: Intensity }
  /** The gedragswetenschapper agrees to waakvlam or complex-intensief. */
  | { kind: 'agree' }
  | { kind: 'waitlist'; reason: (typeof WAITLIST_REASONS)[number] }
  | { kind: 'ask'; question: string; questionId: string }
  | ({ kind: 'close' } & ClosureChoice)
  /** The trajectory's goal, agreed with the family (free text: dossier only). */
  | { kind: 'goal'; text: string }
  /** A maatwerkvoorziening runs beside the gezinscoach from this date (YYYY-MM-DD). */
  | { kind: 'maatwerk'; since: string }
  | { kind: 'dossier' }
  | { kind: 'answer'; questionId: string; answer: string }
  /** A gezinsverzorger trajectory's next evaluation moment, set on the card. */
  | { kind: 'evaluation-date'; dueOn: string }
  /** The outcome of an evaluation, recorded from the reminder by the casemanager or the gezinsverzorger. */
  | ({
      kind: 'evaluate';
      dueOn: string;
      outcome: (typeof EVALUATION_OUTCOMES)[number];
      nextDueOn?: string;
      /** Afschalen of a gezinsverzorger: the hours a week from now on (fewer than now). */
      hoursPerWeek?: number;
      /** Who took part besides the one recording it (a gezinsverzorger's evaluation: praktijkbegeleider, gedragswetenschapper). */
      participants?: EvaluationParticipants;
    } & Partial<ClosureChoice>);

/** What the one who closes a case chooses: why, where the family went, and the family's mark. */
export interface ClosureChoice {
  reason: CloseReason;
  /** The receiving organisation (one of the gemeente's organisaties); kept only when the family is referred on. */
  referredTo?: string;
  /** Client satisfaction, 1 to 10. */
  satisfaction?: number;
}

export interface EvaluationParticipants {
  praktijkbegeleider?: string;
  gedragswetenschapper?: string;
}

export type CaseEffect =
  /** `professional`: on 'opgepakt', who picked it up (a keukentafelgesprek tells the referrer each of its two people). */
  | { kind: 'tell-referrer'; about: 'opgepakt' | 'wachtlijst' | 'vraag' | 'afgesloten'; professional?: string }
  | { kind: 'send-dossier'; to: Actor }
  | { kind: 'forward-answer'; to: Actor; questionId: string };

export type CaseDecision =
  /** `overNorm`: the norms this change goes over (allowed, with a warning that is also audited). */
  | { ok: true; next: Aanmelding; effects: CaseEffect[]; changed: boolean; overNorm?: NormCount[] }
  | { ok: false; refusal: string };

export type TeamRole = 'coordinator' | ProfessionalRole | 'gedragswetenschapper';

export function teamRoleOf(aadObjectId: string, team: TeamConfig): TeamRole | undefined {
  if (team.coordinators.some((c) => c.aadObjectId === aadObjectId)) return 'coordinator';
  const role = team.professionals.find((p) => p.aadObjectId === aadObjectId)?.role;
  if (role) return role;
  return isGedragswetenschapper(aadObjectId, team) ? 'gedragswetenschapper' : undefined;
}

/** The gedragswetenschapper may also be a coordinator or a professional: this asks the one question. */
export function isGedragswetenschapper(aadObjectId: string, team: TeamConfig): boolean {
  return team.gedragswetenschappers.some((g) => g.aadObjectId === aadObjectId);
}

/** A role that takes cases itself (not a coordinator or the gedragswetenschapper). */
function isProfessionalRole(role: TeamRole | undefined): role is ProfessionalRole {
  return role !== undefined && role !== 'coordinator' && role !== 'gedragswetenschapper';
}

/**
 * The roles of a route whose people each fill a slot of their own: a keukentafelgesprek is held by a gezinscoach
 * together with a jeugdconsulent (seed 004, Bijlage 3). Other routes have one slot.
 */
export function jointRoles(route: Aanmelding['triage']['route']): ProfessionalRole[] | undefined {
  return route === 'keukentafelgesprek' ? ['gezinscoach', 'jeugdconsulent'] : undefined;
}

/** Everyone on the case, the first one first. */
export function assigneesOf(a: Pick<Aanmelding, 'assignee' | 'coAssignee'>): Assignee[] {
  return [a.assignee, a.coAssignee].filter((x): x is Assignee => x !== undefined);
}

export function isAssignedTo(a: Pick<Aanmelding, 'assignee' | 'coAssignee'>, aadObjectId: string): boolean {
  return assigneesOf(a).some((x) => x.aadObjectId === aadObjectId);
}

/** The slot a professional of this role fills, with who fills it now (undefined: free). */
export interface Slot {
  /** Undefined on a route with one slot (any fitting role). */
  role?: ProfessionalRole;
  holder?: Assignee;
}

export function slotsOf(a: Pick<Aanmelding, 'assignee' | 'coAssignee' | 'triage'>): Slot[] {
  const joint = jointRoles(a.triage.route);
  if (!joint) return [{ ...(a.assignee ? { holder: a.assignee } : {}) }];
  return joint.map((role) => {
    const holder = assigneesOf(a).find((x) => x.role === role);
    return { role, ...(holder ? { holder } : {}) };
  });
}

/** The slot someone of `role` would fill: on a keukentafelgesprek the one of that role, elsewhere the only one. */
function slotFor(a: Pick<Aanmelding, 'assignee' | 'coAssignee' | 'triage'>, role: ProfessionalRole): Slot | undefined {
  const slots = slotsOf(a);
  return jointRoles(a.triage.route) ? slots.find((s) => s.role === role) : slots[0];
}

/** The roles that could still pick the case up: those of the free slots. */
export function openRoles(a: Pick<Aanmelding, 'assignee' | 'coAssignee' | 'triage'>): ProfessionalRole[] {
  const joint = jointRoles(a.triage.route);
  if (!joint) return a.assignee ? [] : rolesForRoute(a.triage.route);
  return slotsOf(a).flatMap((s) => (s.holder || !s.role ? [] : [s.role]));
}

/** `person` in their slot: replacing who held it, or next to whoever is there. */
function filled(a: Aanmelding, person: Assignee): Pick<Aanmelding, 'assignee' | 'coAssignee'> {
  const holder = slotFor(a, person.role)?.holder;
  if (a.assignee === undefined || a.assignee === holder) return { assignee: person, ...(a.coAssignee ? { coAssignee: a.coAssignee } : {}) };
  return { assignee: a.assignee, coAssignee: person };
}

/** 'toegewezen' from the first slot filled on; a second one leaves an open question to the referrer open. */
function statusWhenFilled(a: Aanmelding): Aanmelding['status'] {
  return a.assignee && a.status === 'meer-informatie' ? 'meer-informatie' : 'toegewezen';
}

/**
 * Whether a request fills a slot that is free now: such a request, on a card a moment old, is still what its sender
 * meant, so a change in between (the other slot filled) is no conflict (two people pressing at once for the two slots
 * both succeed). Filling a taken slot again stays a conflict: one wins, the other sees who has it.
 */
export function fillsFreeSlot(a: Aanmelding, request: CaseRequest, actor: Actor, team: TeamConfig): boolean {
  if (a.status === 'afgesloten') return false;
  const role =
    request.kind === 'claim'
      ? teamRoleOf(actor.aadObjectId, team)
      : request.kind === 'assign'
        ? team.professionals.find((p) => p.aadObjectId === request.professional)?.role
        : undefined;
  if (!isProfessionalRole(role)) return false;
  if (request.kind === 'claim') return slotFor(a, role) !== undefined;
  return slotFor(a, role)?.holder === undefined;
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
  /** Months from assignment to a gezinscoach's or keukentafelgesprek's first evaluation (default 6). */
  coachEvaluationMonths?: number;
  /** The receiving organisations a closure may name (gemeente configuration organisaties); without: any. */
  organisaties?: readonly string[];
  /** The open cases' assignments (before this change): to tell which norms a change goes over. */
  assignments?: readonly Assignment[];
}

const INTENSITY_WORDS: Record<Intensity, string> = { licht: 'licht', waakvlam: 'waakvlam', 'complex-intensief': 'complex-intensief' };

/** Waakvlam and complex-intensief are set with the gedragswetenschapper (seed 004). */
export function needsAgreement(level: Intensity): boolean {
  return level !== 'licht';
}

/** The intensity of a case; without one it is licht. */
export function intensityOf(a: Pick<Aanmelding, 'intensity'>): Intensity {
  return a.intensity?.level ?? 'licht';
}

/** Set, but not yet agreed by the gedragswetenschapper. */
export function awaitsAgreement(a: Pick<Aanmelding, 'intensity'>): boolean {
  return a.intensity !== undefined && needsAgreement(a.intensity.level) && a.intensity.agreed === undefined;
}

/**
 * The months between a trajectory's evaluations: a gezinsverzorger's with the casemanager (seed 000), a gezinscoach's
 * and a keukentafelgesprek's with the family (seed 004: goals set at the start, about half a year). Other routes
 * (the jeugdconsulent's own process, an anonymous consultation) have none.
 */
export function evaluationMonthsFor(a: Pick<Aanmelding, 'triage' | 'answers'>, options: CaseOptions = {}): number | undefined {
  if (isConsultation(a)) return undefined;
  if (a.triage.route === 'gezinsverzorger') return options.evaluationMonths ?? 3;
  if (a.triage.route === 'gezinscoach' || a.triage.route === 'keukentafelgesprek') return options.coachEvaluationMonths ?? 6;
  return undefined;
}

/** A gezinsverzorger's hours a week now: changed by afschalen, else what the casemanager asked. */
export function hoursOf(a: Pick<Aanmelding, 'hoursPerWeek' | 'answers'>): number | undefined {
  return a.hoursPerWeek ?? a.answers.gezinsverzorger?.hoursPerWeek;
}

/** "4,5" */
function hoursInWords(hours: number): string {
  return String(hours).replace('.', ',');
}

export function decide(aanmelding: Aanmelding, request: CaseRequest, actor: Actor, team: TeamConfig, at: Date, options: CaseOptions = {}): CaseDecision {
  const evaluationMonths = evaluationMonthsFor(aanmelding, options);
  const today = localDate(at);
  // A trajectory gets evaluation moments from the day it is assigned (gezinsverzorger with the casemanager, gezinscoach with the family).
  const firstEvaluation = evaluationMonths !== undefined ? { evaluation: { dueOn: addMonths(today, evaluationMonths) } } : {};
  const role = teamRoleOf(actor.aadObjectId, team);
  const isCoordinator = role === 'coordinator';
  const isAssignee = isAssignedTo(aanmelding, actor.aadObjectId);
  const event = (action: CaseEvent['action'], detail?: string): CaseEvent => ({
    at: at.toISOString(),
    action,
    by: { aadObjectId: actor.aadObjectId, name: actor.name },
    ...(detail ? { detail } : {}),
  });
  const change = (next: Partial<Aanmelding>, history: CaseEvent | CaseEvent[], effects: CaseEffect[] = []): CaseDecision => {
    const after: Aanmelding = { ...aanmelding, ...next, history: [...aanmelding.history, ...[history].flat()] };
    const overNorm = options.assignments ? newlyOverNorm(aanmelding, after, options.assignments, team) : [];
    return { ok: true, changed: true, next: after, effects, ...(overNorm.length > 0 ? { overNorm } : {}) };
  };
  const refuse = (refusal: string): CaseDecision => ({ ok: false, refusal });
  /** The closure as stored, or a refusal: an organisation from the list, kept only when the family is referred on. */
  const closureOf = (choice: ClosureChoice): Aanmelding['closure'] | string => {
    if (choice.satisfaction !== undefined && !(Number.isInteger(choice.satisfaction) && choice.satisfaction >= 1 && choice.satisfaction <= 10)) {
      return 'Geef de tevredenheid als een heel cijfer van 1 tot en met 10, of laat het leeg.';
    }
    const referredTo = isReferredOn(choice.reason) ? choice.referredTo : undefined;
    if (referredTo !== undefined && options.organisaties && !options.organisaties.includes(referredTo)) return 'Kies de organisatie uit de lijst.';
    return {
      reason: choice.reason,
      at: at.toISOString(),
      ...(referredTo !== undefined ? { referredTo } : {}),
      ...(choice.satisfaction !== undefined ? { satisfaction: choice.satisfaction } : {}),
    };
  };
  const closedDetail = (closure: NonNullable<Aanmelding['closure']>) => (closure.referredTo ? `; verwezen naar ${closure.referredTo}` : '');
  const intensityChanged = (level: Intensity) => ({
    intensity: { level, since: at.toISOString(), by: { aadObjectId: actor.aadObjectId, name: actor.name } },
    event: event('intensiteit', `intensiteit ${INTENSITY_WORDS[level]} (${actor.name})${needsAgreement(level) ? '; wacht op akkoord gedragswetenschapper' : ''}`),
  });

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
      if (!isProfessionalRole(role)) return refuse('Alleen een professional uit het team kan een aanmelding oppakken. Coördinatoren kiezen "Toewijzen aan…".');
      if (isAssignee) return { ok: true, changed: false, next: aanmelding, effects: [] };
      const joint = jointRoles(aanmelding.triage.route);
      if (!joint && aanmelding.assignee) {
        return refuse(`Deze aanmelding is al opgepakt door ${aanmelding.assignee.name}${isConsultation(aanmelding) ? ', die met de verwijzer overlegt' : ''}.`);
      }
      if (!rolesForRoute(aanmelding.triage.route).includes(role)) {
        return refuse(`Deze aanmelding is voor de route ${aanmelding.triage.route}; als ${ROLE_LABELS[role]} kun je hem niet oppakken. Vraag de coördinator.`);
      }
      const holder = slotFor(aanmelding, role)?.holder;
      if (holder) return refuse(`De ${ROLE_LABELS[role]} van dit keukentafelgesprek is al ${holder.name}.`);
      const person: Assignee = { aadObjectId: actor.aadObjectId, name: actor.name, role };
      return change(
        { ...filled(aanmelding, person), status: statusWhenFilled(aanmelding), waitlist: undefined, ...(aanmelding.evaluation ? {} : firstEvaluation) },
        event('opgepakt', isConsultation(aanmelding) ? `in overleg met de verwijzer: ${actor.name}` : `opgepakt door ${actor.name}`),
        [
          { kind: 'tell-referrer', about: 'opgepakt', professional: actor.aadObjectId },
          { kind: 'send-dossier', to: actor },
        ],
      );
    }
    case 'assign': {
      if (!isCoordinator) return refuse('Alleen een coördinator kan een aanmelding toewijzen.');
      const professional = team.professionals.find((p) => p.aadObjectId === request.professional);
      if (!professional) return refuse('Die professional staat niet in het team.');
      const joint = jointRoles(aanmelding.triage.route);
      if (joint && !joint.includes(professional.role)) {
        return refuse(`Een keukentafelgesprek doen een gezinscoach en een jeugdconsulent samen; ${professional.name} is ${ROLE_LABELS[professional.role]}.`);
      }
      const intensity = request.intensity !== undefined && request.intensity !== intensityOf(aanmelding) ? request.intensity : undefined;
      if (isAssignedTo(aanmelding, professional.aadObjectId) && intensity === undefined) return { ok: true, changed: false, next: aanmelding, effects: [] };
      const target = { aadObjectId: professional.aadObjectId, name: professional.name };
      const intensityChange = intensity === undefined ? undefined : intensityChanged(intensity);
      if (isAssignedTo(aanmelding, professional.aadObjectId)) return change({ intensity: intensityChange!.intensity }, intensityChange!.event);
      return change(
        {
          ...filled(aanmelding, { ...target, role: professional.role }),
          status: statusWhenFilled(aanmelding),
          waitlist: undefined,
          ...(aanmelding.evaluation ? {} : firstEvaluation),
          ...(intensityChange ? { intensity: intensityChange.intensity } : {}),
        },
        // The intensity first: the last event is the assignment, which a retried invoke is recognised by.
        [...(intensityChange ? [intensityChange.event] : []), event('toegewezen', `toegewezen aan ${professional.name} door ${actor.name}`)],
        [
          { kind: 'tell-referrer', about: 'opgepakt', professional: professional.aadObjectId },
          { kind: 'send-dossier', to: target },
        ],
      );
    }
    case 'intensity': {
      if (!isCoordinator && !isAssignee) return refuse('Alleen de coördinator of wie de aanmelding heeft, kan de intensiteit vastleggen.');
      if (!aanmelding.assignee) return refuse('De intensiteit leg je vast zodra iemand de aanmelding heeft; kies eerst "Toewijzen aan…".');
      if (request.level === intensityOf(aanmelding)) return { ok: true, changed: false, next: aanmelding, effects: [] };
      const { intensity, event: history } = intensityChanged(request.level);
      return change({ intensity }, history);
    }
    case 'agree': {
      if (!isGedragswetenschapper(actor.aadObjectId, team)) return refuse('Alleen de gedragswetenschapper van het team geeft akkoord op waakvlam of complex-intensief.');
      if (!aanmelding.intensity || !needsAgreement(aanmelding.intensity.level)) return refuse('Er is geen waakvlam of complex-intensief om akkoord op te geven.');
      if (aanmelding.intensity.agreed) return { ok: true, changed: false, next: aanmelding, effects: [] };
      return change(
        { intensity: { ...aanmelding.intensity, agreed: { by: { aadObjectId: actor.aadObjectId, name: actor.name }, at: at.toISOString() } } },
        event('akkoord', `akkoord gedragswetenschapper op ${INTENSITY_WORDS[aanmelding.intensity.level]} (${actor.name})`),
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
    case 'goal': {
      if (!isCoordinator && !isAssignee) return refuse('Alleen de coördinator of wie de aanmelding heeft, legt het doel vast.');
      if (!aanmelding.assignee) return refuse('Het doel leg je vast zodra iemand de aanmelding heeft.');
      if (aanmelding.goal?.text === request.text) return { ok: true, changed: false, next: aanmelding, effects: [] };
      // The text is about the family: the history (shown on the channel card) says only that it was set.
      return change(
        { goal: { text: request.text, at: at.toISOString(), by: { aadObjectId: actor.aadObjectId, name: actor.name } }, ...(aanmelding.evaluation ? {} : firstEvaluation) },
        event('doel', `${aanmelding.goal ? 'doel gewijzigd' : 'doel vastgelegd'} door ${actor.name}`),
      );
    }
    case 'maatwerk': {
      if (!isCoordinator && !isAssignee) return refuse('Alleen de coördinator of wie de aanmelding heeft, legt vast dat er maatwerk is ingezet.');
      if (!aanmelding.assignee) return refuse('Maatwerk naast de gezinscoach leg je vast zodra iemand de aanmelding heeft.');
      if (request.since > today) return refuse('Kies de datum waarop het maatwerk is gestart (vandaag of eerder).');
      if (aanmelding.maatwerk?.since === request.since) return { ok: true, changed: false, next: aanmelding, effects: [] };
      return change(
        { maatwerk: { since: request.since, at: at.toISOString(), by: { aadObjectId: actor.aadObjectId, name: actor.name } } },
        event('maatwerk', `maatwerk ingezet sinds ${dutchDate(request.since)}, naast de gezinscoach (${actor.name})`),
      );
    }
    case 'evaluation-date': {
      if (!isCoordinator && !isAssignee) return refuse('Alleen de coördinator of wie de aanmelding heeft, kan de evaluatiedatum wijzigen.');
      if (!aanmelding.evaluation) return refuse('Deze aanmelding heeft geen evaluatiemomenten.');
      // A date of today or earlier means: evaluate now (the reminders go out at once).
      return change({ evaluation: { ...aanmelding.evaluation, dueOn: request.dueOn } }, event('evaluatie', `evaluatie gepland op ${dutchDate(request.dueOn)} door ${actor.name}`));
    }
    case 'evaluate': {
      const isReferrer = actor.aadObjectId === (aanmelding.referrer.identity.aadObjectId ?? aanmelding.referrer.identity.id);
      const isGezinsverzorger = aanmelding.triage.route === 'gezinsverzorger';
      // The casemanager owns a gezinsverzorger's plan; a gezinscoach evaluates with the family, not with the referrer.
      if (!(isReferrer && isGezinsverzorger) && !isAssignee) {
        return refuse(isGezinsverzorger ? 'Alleen de casemanager en de gezinsverzorger leggen de evaluatie vast.' : 'Alleen wie de aanmelding heeft, legt de evaluatie vast.');
      }
      if (!aanmelding.evaluation || aanmelding.evaluation.dueOn !== request.dueOn) return refuse('Deze evaluatie is al vastgelegd.');
      const next = addMonths(today, evaluationMonths ?? 3);
      const others = [
        request.participants?.praktijkbegeleider ? `praktijkbegeleider ${request.participants.praktijkbegeleider}` : undefined,
        request.participants?.gedragswetenschapper ? `gedragswetenschapper ${request.participants.gedragswetenschapper}` : undefined,
      ].filter((x): x is string => x !== undefined);
      const by = others.length > 0 ? `${actor.name}, met ${others.join(' en ')}` : actor.name;
      switch (request.outcome) {
        case 'doorgaan':
          if (!request.nextDueOn || request.nextDueOn <= today) return refuse('Kies voor Doorgaan een nieuwe evaluatiedatum na vandaag.');
          return change({ evaluation: { ...aanmelding.evaluation, dueOn: request.nextDueOn } }, event('evaluatie', `evaluatie: doorgaan, volgende evaluatie ${dutchDate(request.nextDueOn)} (${by})`));
        case 'afschalen': {
          const evaluation = { ...aanmelding.evaluation, dueOn: next };
          // Afschalen changes what the family gets: a gezinsverzorger's hours, a gezinscoach's intensity (to waakvlam).
          if (isGezinsverzorger) {
            const now = hoursOf(aanmelding);
            if (request.hoursPerWeek === undefined) return refuse('Vul bij Afschalen het aantal uur per week in dat overblijft.');
            if (now !== undefined && request.hoursPerWeek >= now) return refuse(`Afschalen is minder uur dan nu (${hoursInWords(now)} uur per week).`);
            return change(
              { evaluation, hoursPerWeek: request.hoursPerWeek },
              event('evaluatie', `evaluatie: afgeschaald van ${now === undefined ? '?' : hoursInWords(now)} naar ${hoursInWords(request.hoursPerWeek)} uur per week, volgende evaluatie ${dutchDate(next)} (${by})`),
            );
          }
          if (intensityOf(aanmelding) === 'waakvlam') return refuse('Deze aanmelding is al waakvlam; kies Doorgaan of Afsluiten.');
          const { intensity, event: intensityEvent } = intensityChanged('waakvlam');
          return change({ evaluation, intensity }, [
            event('evaluatie', `evaluatie: afgeschaald naar waakvlam, volgende evaluatie ${dutchDate(next)} (${by})`),
            intensityEvent,
          ]);
        }
        case 'afsluiten': {
          const closure = closureOf({ reason: request.reason ?? 'doelen-behaald', referredTo: request.referredTo, satisfaction: request.satisfaction });
          if (typeof closure === 'string') return refuse(closure);
          return change(
            { status: 'afgesloten', closure, evaluation: undefined },
            event('afgesloten', `afgesloten na evaluatie door ${by}${closedDetail(closure!)}`),
            isReferrer ? [] : [{ kind: 'tell-referrer', about: 'afgesloten' }],
          );
        }
      }
      break;
    }
    case 'close': {
      // The assignees close; a coordinator too, for a case nobody has (one that stood still for months, issue 14) or
      // on behalf of the people on it (a keukentafelgesprek that ends in a referral, its outcome reported at the team meeting).
      if (!isAssignee && !isCoordinator) {
        return refuse('Alleen de professional aan wie de aanmelding is toegewezen, of de coördinator, kan hem afsluiten.');
      }
      const closure = closureOf(request);
      if (typeof closure === 'string') return refuse(closure);
      return change(
        { status: 'afgesloten', closure, evaluation: undefined },
        event('afgesloten', `afgesloten door ${actor.name}${closedDetail(closure!)}`),
        [{ kind: 'tell-referrer', about: 'afgesloten' }],
      );
    }
  }
}

export interface Candidate {
  professional: Professional;
  /** Supported this family before (answers.eerderBegeleidDoor): first in the choices, for continuity. */
  continuity: boolean;
  /** Their expertise that fits this case's hoofdvraag or criteria (team configuration expertise). */
  expertise: string[];
  /** Linked to the referrer's practice or the family's wijk (seed 004: every gezinscoach has a wijk and its practices). */
  linked: boolean;
  fitsRoute: boolean;
  activeCases: number;
  room: number;
  /** Their waakvlam and complex-intensief cases now, against maxWaakvlam and maxComplexIntensief. */
  waakvlam: number;
  complexIntensief: number;
}

/**
 * What counts in a caseload of one open case: who has it, in which role, and for a gezinsverzorger the hours a week.
 * A keukentafelgesprek gives one for each of its two people. The stores hand these over without the rest of the
 * record, so a card's choices cost the same however many aanmeldingen are stored.
 */
export interface Assignment {
  reference: string;
  aadObjectId: string;
  role: ProfessionalRole;
  hoursPerWeek?: number;
  /** Absent: licht. */
  intensity?: Intensity;
}

/** The assignments of the open cases among these aanmeldingen. */
export function assignmentsOf(all: readonly Aanmelding[]): Assignment[] {
  return all.flatMap((a) =>
    a.status === 'afgesloten'
      ? []
      : assigneesOf(a).map((x) => ({
          reference: a.reference,
          aadObjectId: x.aadObjectId,
          role: x.role,
          ...(hoursOf(a) !== undefined ? { hoursPerWeek: hoursOf(a) } : {}),
          ...(a.intensity && a.intensity.level !== 'licht' ? { intensity: a.intensity.level } : {}),
        })),
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

/** One norm and where it stands (seed 004: waakvlam 5–10 per coach, complex-intensief about 15 in the team). */
export interface NormCount {
  intensity: Exclude<Intensity, 'licht'>;
  /** A professional's own norm (maxWaakvlam, maxComplexIntensief); undefined: the team's (normComplexIntensief). */
  professional?: { aadObjectId: string; name: string };
  count: number;
  max: number;
}

export function isOverNorm(n: NormCount): boolean {
  return n.count > n.max;
}

/** Cases of this intensity per professional. */
function countOf(assignments: readonly Assignment[], aadObjectId: string, intensity: Intensity): number {
  return assignments.filter((x) => x.aadObjectId === aadObjectId && x.intensity === intensity).length;
}

/** Cases of this intensity in the team: a keukentafelgesprek counts once, however many people it has. */
function teamCountOf(assignments: readonly Assignment[], intensity: Intensity): number {
  return new Set(assignments.filter((x) => x.intensity === intensity).map((x) => x.reference)).size;
}

/**
 * The norms a case weighs on: for waakvlam and complex-intensief, each assignee's own, and for complex-intensief the
 * team's. Counted over the open cases' assignments (this case included as it is in `assignments`).
 */
export function normsFor(a: Pick<Aanmelding, 'assignee' | 'coAssignee' | 'intensity'>, assignments: readonly Assignment[], team: TeamConfig): NormCount[] {
  const intensity = intensityOf(a);
  if (intensity === 'licht') return [];
  const own = assigneesOf(a).flatMap((x): NormCount[] => {
    const professional = team.professionals.find((p) => p.aadObjectId === x.aadObjectId);
    if (!professional) return [];
    const max = intensity === 'waakvlam' ? professional.capacity.maxWaakvlam : professional.capacity.maxComplexIntensief;
    return [{ intensity, professional: { aadObjectId: x.aadObjectId, name: x.name }, count: countOf(assignments, x.aadObjectId, intensity), max }];
  });
  return intensity === 'complex-intensief' ? [...own, { intensity, count: teamCountOf(assignments, intensity), max: team.normComplexIntensief }] : own;
}

/** The assignments with one case as it is in `a` (before or after a change). */
export function withCase(assignments: readonly Assignment[], a: Aanmelding): Assignment[] {
  return [...assignments.filter((x) => x.reference !== a.reference), ...assignmentsOf([a])];
}

/** The norms that a change of one case takes over the limit (or further over): allowed, but said and audited. */
export function newlyOverNorm(before: Aanmelding, after: Aanmelding, assignments: readonly Assignment[], team: TeamConfig): NormCount[] {
  const was = normsFor(before, withCase(assignments, before), team);
  const key = (n: NormCount) => `${n.intensity}:${n.professional?.aadObjectId ?? 'team'}`;
  return normsFor(after, withCase(assignments, after), team).filter((n) => {
    const earlier = was.find((w) => key(w) === key(n));
    return isOverNorm(n) && (earlier === undefined || earlier.count < n.count);
  });
}

/**
 * The choices for "Toewijzen aan…": fitting role first (on a keukentafelgesprek the role of the free slot), then who
 * supported the family before, then with room, then linked to the practice or wijk, then with expertise that fits the
 * hoofdvraag or criteria, then most room.
 */
export function assignCandidates(aanmelding: Aanmelding, team: TeamConfig, loads: Map<string, number>, assignments: readonly Assignment[] = []): Candidate[] {
  const free = openRoles(aanmelding);
  const roles = free.length > 0 ? free : rolesForRoute(aanmelding.triage.route);
  return team.professionals
    .map((professional) => {
      const activeCases = loads.get(professional.aadObjectId) ?? 0;
      const asked = new Set([...(aanmelding.answers.hoofdvraag ?? []), ...aanmelding.triage.criteria]);
      return {
        professional,
        continuity: aanmelding.answers.eerderBegeleidDoor === professional.aadObjectId,
        expertise: (professional.expertise ?? []).filter((name) => (team.expertise?.[name] ?? []).some((id) => asked.has(id))),
        linked:
          professional.wijken.includes(aanmelding.answers.wijk) ||
          (aanmelding.referrer.praktijk !== undefined && professional.praktijken.includes(aanmelding.referrer.praktijk)),
        fitsRoute: roles.includes(professional.role),
        activeCases,
        room: Math.max(0, professional.capacity.maxCases - activeCases),
        waakvlam: countOf(assignments, professional.aadObjectId, 'waakvlam'),
        complexIntensief: countOf(assignments, professional.aadObjectId, 'complex-intensief'),
      };
    })
    .sort(
      (a, b) =>
        Number(b.fitsRoute) - Number(a.fitsRoute) ||
        // The one who supported the family before comes first, full or not: continuity is worth asking them.
        Number(b.continuity) - Number(a.continuity) ||
        // Someone with room before the linked professional who is full (seed 004: another professional with
        // room picks it up), then the linked one first.
        Number(b.room > 0) - Number(a.room > 0) ||
        Number(b.linked) - Number(a.linked) ||
        b.expertise.length - a.expertise.length ||
        b.room - a.room ||
        a.professional.name.localeCompare(b.professional.name),
    );
}

/** Trajectories whose evaluation is due on `today` or earlier and not yet reminded for that date. */
export function dueEvaluations(all: readonly Aanmelding[], today: string): Aanmelding[] {
  return all.filter(
    (a) => a.status !== 'afgesloten' && a.evaluation !== undefined && a.evaluation.dueOn <= today && a.evaluation.remindedFor !== a.evaluation.dueOn,
  );
}
