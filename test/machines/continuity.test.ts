import { describe, expect, it } from 'vitest';
import { candidateTitle } from '../../dialogs/referral.card.js';
import { assignCandidates } from '../../machines/referral-case.js';
import { aanmelding, adele, isaiah, team } from '../fixtures/referral.js';

/** Issue 15 point 6: the one who supported the family before first, then the expertise the case asks for. */

const T = team();
const coaches = (list: ReturnType<typeof assignCandidates>) => list.filter((c) => c.professional.role === 'gezinscoach').map((c) => c.professional.name);

describe('continuity in the assign choices', () => {
  it('puts the one who supported the family before first, marked, even over the coach of the wijk', () => {
    // Oostrum is Adele's wijk: without continuity she comes first.
    expect(coaches(assignCandidates(aanmelding(), T, new Map()))).toEqual(['Adele Vance', 'Isaiah Langer']);
    const before = aanmelding({ answers: { eerderBegeleidDoor: isaiah.aadObjectId } });
    const choices = assignCandidates(before, T, new Map());
    expect(coaches(choices)).toEqual(['Isaiah Langer', 'Adele Vance']);
    expect(candidateTitle(choices[0]!, before)).toContain('Isaiah Langer, gezinscoach — eerder betrokken bij dit gezin');
    expect(candidateTitle(choices[1]!, before)).not.toContain('eerder betrokken');
  });

  it('still puts the fitting role first: a gezinsverzorger who knew the family does not lead a gezinscoach case', () => {
    const before = aanmelding({ answers: { eerderBegeleidDoor: '00000000-0000-0000-0000-0000000000025' } });
    expect(assignCandidates(before, T, new Map())[0]!.professional.role).not.toBe('gezinsverzorger');
  });
});

describe('expertise in the assign choices', () => {
  const withExpertise = { ...T, expertise: { lvb: ['leervermogen'], scheiding: ['omgang'] }, professionals: T.professionals.map((p) => (p.aadObjectId === isaiah.aadObjectId ? { ...p, expertise: ['lvb', 'scheiding'] } : p)) };

  it('weighs expertise that fits the hoofdvraag or criteria after the link with wijk or practice', () => {
    // Wanssum is neither coach's wijk, and the referrer's practice is nobody's: only expertise tells them apart.
    const lvb = aanmelding({ answers: { wijk: 'Wanssum', hoofdvraag: ['omgang'], criteria: ['leervermogen'] }, referrer: { praktijk: undefined } });
    const choices = assignCandidates(lvb, withExpertise, new Map());
    expect(coaches(choices)).toEqual(['Isaiah Langer', 'Adele Vance']);
    expect(choices.find((c) => c.professional.aadObjectId === isaiah.aadObjectId)!.expertise).toEqual(['lvb', 'scheiding']);
    expect(candidateTitle(choices[0]!, lvb)).toContain('expertise lvb en scheiding');
  });

  it('lets the coach of the wijk go before expertise', () => {
    const inOostrum = aanmelding({ answers: { hoofdvraag: ['omgang'] } });
    expect(coaches(assignCandidates(inOostrum, withExpertise, new Map()))[0]).toBe(adele.name);
  });

  it('has no weight without matching hoofdvraag or criteria', () => {
    const plain = aanmelding({ answers: { wijk: 'Wanssum', hoofdvraag: ['pedagogisch'] } });
    expect(assignCandidates(plain, withExpertise, new Map()).every((c) => c.expertise.length === 0)).toBe(true);
  });
});
