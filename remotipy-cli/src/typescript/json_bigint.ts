
// ---- JSON with bigint (--bigint): integers beyond 2^53 are read as bigint; a bigint is written as its digits ----

/** Marks a bigint inside JSON text while it is converted: no JSON from elsewhere holds this string. */
const BIG = `~bigint${Math.random().toString(36).slice(2)}~`;

/** JSON's strings and numbers: a string is matched whole, so that digits inside it are skipped. */
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d+(\.\d+)?([eE][+-]?\d+)?/g;

function encode(value: unknown): string {
  const text = JSON.stringify(value, (_, v) => (typeof v == "bigint" ? BIG + v : v));
  return text.replace(new RegExp(`"${BIG}(-?\\d+)"`, "g"), "$1");
}

function decode(text: string): RemotipyJson {
  // Only sixteen digits in a row can pass 2^53: only then are the numbers looked at.
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  const marked = text.replace(TOKENS, (token, fraction, exponent) =>
    token[0] == '"' || fraction || exponent || Number.isSafeInteger(+token) ? token : `"${BIG}${token}"`,
  );
  return JSON.parse(marked, (_, v) => (typeof v == "string" && v.startsWith(BIG) ? BigInt(v.slice(BIG.length)) : v));
}
