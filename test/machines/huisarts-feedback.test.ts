import { describe, expect, it } from 'vitest';
import { huisartsMomentOf, huisartsToInform } from '../../machines/huisarts-feedback.js';
import { aanmelding, adele, CREATED, team } from '../fixtures/referral.js';

const T = team();
const consent = (feedbackToHuisarts: boolean, referral: 'ja' | 'anoniem' | 'nee' = 'ja') => ({ referral, givenBy: ['ouders-met-gezag'], feedbackToHuisarts, recordedAt: CREATED.toISOString() });
/** Referred by a school, the family's huisarts being De Linde (whose contact in Teams is configured). */
const bySchool = { referrer: { role: 'school' as const, praktijk: undefined } };

describe('whom to tell of the family’s huisarts', () => {
  it('names the practice’s contact in Teams when the family allows it', () => {
    const a = aanmelding({ ...bySchool, answers: { huisartsPraktijk: 'Huisartsenpraktijk De Linde', consent: consent(true) } });
    expect(huisartsToInform(a, T)).toEqual({ praktijk: 'Huisartsenpraktijk De Linde', contact: { aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' } });
  });

  it('names a practice without a contact, for a letter', () => {
    const a = aanmelding({ ...bySchool, answers: { huisartsPraktijk: 'Huisartsenpraktijk Ysselsteyn', consent: consent(true) } });
    expect(huisartsToInform(a, T)).toEqual({ praktijk: 'Huisartsenpraktijk Ysselsteyn' });
  });

  it('tells nobody when the family refused, without consent to refer, or without a known practice', () => {
    expect(huisartsToInform(aanmelding({ ...bySchool, answers: { huisartsPraktijk: 'Huisartsenpraktijk De Linde', consent: consent(false) } }), T)).toBeUndefined();
    expect(huisartsToInform(aanmelding({ ...bySchool, answers: { huisartsPraktijk: 'Huisartsenpraktijk De Linde', consent: consent(true, 'anoniem'), contact: undefined } }), T)).toBeUndefined();
    expect(huisartsToInform(aanmelding({ ...bySchool, answers: { consent: consent(true) } }), T)).toBeUndefined();
  });

  it('tells nobody extra when the referrer is a huisarts of that very practice: they hear it as the referrer', () => {
    const a = aanmelding({ answers: { huisartsPraktijk: 'Huisartsenpraktijk De Linde', consent: consent(true) } });
    expect(a.referrer).toMatchObject({ role: 'huisarts', praktijk: 'Huisartsenpraktijk De Linde' });
    expect(huisartsToInform(a, T)).toBeUndefined();
  });
});

describe('the moments the huisarts hears of', () => {
  const someone = { ...adele, role: 'gezinscoach' as const };
  it('is the first person on the case, and its closure with someone on it', () => {
    expect(huisartsMomentOf({ status: 'nieuw' }, { status: 'toegewezen', assignee: someone })).toBe('toegewezen');
    expect(huisartsMomentOf({ status: 'toegewezen', assignee: someone }, { status: 'afgesloten', assignee: someone })).toBe('afgesloten');
  });
  it('is not a second person, another change, or a closure of a case nobody had', () => {
    expect(huisartsMomentOf({ status: 'toegewezen', assignee: someone }, { status: 'toegewezen', assignee: someone })).toBeUndefined();
    expect(huisartsMomentOf({ status: 'wachtlijst' }, { status: 'afgesloten' })).toBeUndefined();
  });
});
