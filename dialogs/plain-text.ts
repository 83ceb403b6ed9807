/**
 * What people type (a toelichting, a question, an answer, contact details) is shown as they typed it, never as
 * formatting: Teams renders bot messages (textFormat markdown) and Adaptive Card TextBlocks and FactSets as
 * markdown, so `[klik](https://…)` would become a link with a disguised target and `**x**` bold. Stored data stays
 * as typed; this is applied where it is shown.
 */

/** C0 controls except the line feed, DEL, and C1 controls. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/gu;
/** Bidi embeddings, overrides and isolates: they can make a text read differently from what it holds. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/gu;
/** Characters that start or end markdown (emphasis, links, code, html, tables, escapes) anywhere on a line. */
const MARKDOWN = /[\\`*_~[\]()<>#|&!]/gu;
/** At the start of a line: a list or heading marker (`- `, `+ `, `===`). */
const LINE_START_MARK = /^( *)([-+=])/gmu;
/** At the start of a line: a numbered list (`1. `); its dot is escaped. */
const LINE_START_NUMBER = /^( *\d+)\./gmu;

/** After this many characters without a space, a long word gets a break opportunity. */
export const LONGEST_WORD = 60;
const ZERO_WIDTH_SPACE = '\u200b';

export function plainText(typed: string): string {
  return escapeMarkdown(breakLongWords(withoutControlCharacters(typed)));
}

/**
 * Drops control and bidi characters (a tab becomes a space, a carriage return a line break). Safe to apply at input
 * too: nothing a person meant to type is lost.
 */
export function withoutControlCharacters(typed: string): string {
  return typed
    .replace(/\r\n?/gu, '\n')
    .replace(/\t/gu, ' ')
    .replace(CONTROL, '')
    .replace(BIDI, '');
}

/** A zero-width space after every LONGEST_WORD characters without white space, so a card never overflows. */
export function breakLongWords(text: string): string {
  let out = '';
  let run = 0;
  for (const char of text) {
    if (/\s/u.test(char)) run = 0;
    else if (run === LONGEST_WORD) {
      out += ZERO_WIDTH_SPACE;
      run = 0;
    }
    if (!/\s/u.test(char)) run++;
    out += char;
  }
  return out;
}

function escapeMarkdown(text: string): string {
  return text
    .replace(MARKDOWN, (char) => `\\${char}`)
    .replace(LINE_START_MARK, '$1\\$2')
    .replace(LINE_START_NUMBER, '$1\\.');
}
