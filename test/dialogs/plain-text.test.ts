import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LONGEST_WORD, plainText, withoutControlCharacters } from '../../dialogs/plain-text.js';

/** What a reader sees once markdown has been applied to escaped text: each `\x` shows as `x`. */
const shown = (escaped: string) => escaped.replace(/\\(.)/gu, '$1').replaceAll('\u200b', '');

describe('plainText', () => {
  it('escapes a markdown link, so its disguised target is not clickable and shows literally', () => {
    const out = plainText('[klik](https://evil.example)');
    expect(out).toBe('\\[klik\\]\\(https://evil.example\\)');
    expect(out).not.toMatch(/(^|[^\\])\[[^\]]*[^\\]\]\(/u);
    expect(shown(out)).toBe('[klik](https://evil.example)');
  });

  it('escapes bold, italics, code, strike-through and html tags', () => {
    const typed = '**vet** _schuin_ `code` ~~weg~~ <b>x</b> &lt;';
    const out = plainText(typed);
    expect(out).toBe('\\*\\*vet\\*\\* \\_schuin\\_ \\`code\\` \\~\\~weg\\~\\~ \\<b\\>x\\</b\\> \\&lt;');
    expect(shown(out)).toBe(typed);
  });

  it('escapes list, heading and quote markers at the start of a line, and leaves them alone inside a line', () => {
    const typed = '- een\n+ twee\n1. drie\n# kop\n> citaat\n===\nnul-tolerantie 3.5 uur';
    const out = plainText(typed);
    expect(out).toBe('\\- een\n\\+ twee\n1\\. drie\n\\# kop\n\\> citaat\n\\===\nnul-tolerantie 3.5 uur');
    expect(shown(out)).toBe(typed);
  });

  it('drops bidi overrides and isolates, so a text reads as it is stored', () => {
    const typed = 'gezin \u202Eesrever\u202C en \u2066geïsoleerd\u2069 \u202A\u202B\u202D\u2067\u2068';
    expect(plainText(typed)).toBe('gezin esrever en geïsoleerd ');
  });

  it('drops C0 and C1 control characters but keeps line breaks; a tab becomes a space, CR LF a line break', () => {
    expect(plainText('a\u0000b\u0007c\u001bd\u007fe\u0085f\u009fg\r\nh\ri\tj\nk')).toBe('abcdefg\nh\ni j\nk');
  });

  it(`breaks a word longer than ${LONGEST_WORD} characters with a zero-width space, and leaves shorter words whole`, () => {
    const long = 'x'.repeat(150);
    const out = plainText(`kort ${long} ${'y'.repeat(LONGEST_WORD)}`);
    const words = out.split(' ');
    expect(words[1]).toBe(['x'.repeat(60), 'x'.repeat(60), 'x'.repeat(30)].join('\u200b'));
    expect(words[2]).toBe('y'.repeat(LONGEST_WORD));
    expect(shown(out)).toBe(`kort ${long} ${'y'.repeat(LONGEST_WORD)}`);
  });

  it('counts characters, not UTF-16 units, and never splits an emoji', () => {
    const out = plainText('😀'.repeat(61));
    expect(out).toBe(`${'😀'.repeat(60)}\u200b😀`);
  });

  it('leaves ordinary Dutch text as it is', () => {
    const typed = 'Moeder (32) vraagt hulp bij de opvoeding; vader werkt veel. Zoon van 7 zit op de basisschool.';
    expect(shown(plainText(typed))).toBe(typed);
    expect(plainText('Gezin heeft hulp nodig bij het huishouden')).toBe('Gezin heeft hulp nodig bij het huishouden');
  });
});

describe('plainText on any text (fast-check)', () => {
  const anyText = fc.string({ unit: fc.oneof(fc.constantFrom(...'\\*_[]()<>#|&!`~-+=.1 \n\r\t\u0000\u0085\u202E\u2066'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 300 });

  it('shows exactly what was typed (minus control and bidi characters), with no markdown character left unescaped', () => {
    fc.assert(
      fc.property(anyText, (typed) => {
        const out = plainText(typed);
        expect(shown(out)).toBe(withoutControlCharacters(typed).replaceAll('\u200b', ''));
        expect(out.replace(/\\./gsu, '')).not.toMatch(/[\\`*_~[\]()<>#|&!]/u);
        // eslint-disable-next-line no-control-regex -- no control character may be left
        expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u);
        for (const word of out.split(/[\s\u200b]/u)) expect(Array.from(word.replace(/\\(.)/gu, '$1')).length).toBeLessThanOrEqual(LONGEST_WORD);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('withoutControlCharacters', () => {
  it('keeps markdown characters as typed (they are escaped when shown, not when stored)', () => {
    expect(withoutControlCharacters('**vet** [a](b)\u202E')).toBe('**vet** [a](b)');
  });
});
