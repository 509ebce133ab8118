
// ---- JSON: an integer beyond 2^53 is refused, never silently rounded (see --bigint) ----

const encode: (value: unknown) => string = JSON.stringify;

/** JSON's strings and numbers: a string is matched whole, so that digits inside it are skipped. */
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d+(\.\d+)?([eE][+-]?\d+)?/g;

function decode(text: string): RemotipyJson {
  // Only sixteen digits in a row can pass 2^53: only then are the numbers looked at.
  if (/\d{16}/.test(text)) {
    text.replace(TOKENS, (token, fraction, exponent) => {
      if (token[0] != '"' && !fraction && !exponent && !Number.isSafeInteger(+token)) {
        throw new RangeError(`${token} is beyond 2^53 (see --bigint)`);
      }
      return token;
    });
  }
  return JSON.parse(text);
}
