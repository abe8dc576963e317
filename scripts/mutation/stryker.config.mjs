// @ts-check
/**
 * npm run test:mutation (issue 17; docs/testing.md § Mutation testing, docs/decisions/0011): StrykerJS over the
 * code that decides, verifies and hashes, against its unit specs only (no database). Incremental:
 * a rerun after a small change tests only the mutants it touches. Per-file thresholds are checked
 * afterwards by thresholds.mjs (Stryker's own are global). Reports in reports/ (git-ignored).
 *
 * Equivalent mutants (no behaviour can differ) are listed one by one in `equivalentMutants` below,
 * each with its reason; thresholds.mjs leaves them out of the score and fails when one of them is
 * killed or no longer exists, so the list cannot go stale.
 */
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { configFile: 'scripts/mutation/jest.config.js', enableFindRelatedTests: true },
  checkers: [],
  mutate: [
    // Signals: normalization and hashing (the SDK's, which the service runs), the index and the screener.
    'libs/platform-sdk/src/signals/normalize.ts',
    'libs/platform-sdk/src/signals/signal-types.ts',
    'libs/platform-sdk/src/signals/prehash.ts',
    'libs/platform-sdk/src/signals/prepare.ts',
    'libs/identity/src/hash.ts',
    'libs/screening/src/signal-index.ts',
    'libs/screening/src/screener.ts',
    // The legal rules (order-terms.ts: the part the console runs too).
    'libs/orders/src/order-rules.ts',
    'libs/orders/src/order-terms.ts',
    // The log: Merkle trees, signed notes, cosignatures and their checks.
    'libs/platform-sdk/src/transparency/merkle.ts',
    'libs/platform-sdk/src/transparency/merkle-verify.ts',
    'libs/platform-sdk/src/transparency/signed-note.ts',
    'libs/platform-sdk/src/transparency/cosignature.ts',
    'libs/platform-sdk/src/transparency/verify.ts',
    'libs/audit/src/checkpoint.ts',
    'libs/audit/src/audit-leaf.ts',
    'libs/audit/src/audit-verifier.ts',
    // Private checks: the OPRF and the set table.
    'libs/platform-sdk/src/private/voprf.ts',
    'libs/platform-sdk/src/private/tag-set.ts',
    // Keys at rest.
    'libs/common/src/key-ring-cipher.ts',
    // Rate-limit arithmetic (the shared bucket's Lua refills as token-bucket.ts does).
    'libs/auth/src/token-bucket.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 3000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', '.local', 'reports', 'bench/results', 'docs/console', 'apps/console', 'libs/platform-sdk/dist', '.stryker-tmp'],
  // Stryker's own break is the lowest per-file threshold; thresholds.mjs holds each file to its own.
  thresholds: { high: 90, low: 85, break: null },
};

const SIGNAL_INDEX = 'libs/screening/src/signal-index.ts';
const SIGNED_NOTE = 'libs/platform-sdk/src/transparency/signed-note.ts';
const VOPRF = 'libs/platform-sdk/src/private/voprf.ts';
const MERKLE = 'libs/platform-sdk/src/transparency/merkle.ts';
const MERKLE_VERIFY = 'libs/platform-sdk/src/transparency/merkle-verify.ts';
const NORMALIZE = 'libs/platform-sdk/src/signals/normalize.ts';
const SCREENER = 'libs/screening/src/screener.ts';
const TAG_SET = 'libs/platform-sdk/src/private/tag-set.ts';
const VERIFY_BATCH_GUARD =
  'if (blindedElements.length === 0 || blindedElements.length !== evaluatedElements.length || proof.length !== PROOF_BYTES) return false;';
const VERIFY_BATCH_ELEMENTS = 'if (![publicKey, ...blindedElements, ...evaluatedElements].every(isValidElement)) return false;';

/** `'utf8'` → `''` where Node reads an empty encoding name as its default, utf8 (Buffer.from, Hash.update). */
const utf8IsTheDefault = (file, line) => ({
  file,
  line,
  code: "'utf8'",
  mutator: 'StringLiteral',
  replacement: '""',
  reason: "Node takes an empty encoding name for its default, 'utf8': the same bytes",
});

/**
 * Mutants no test can kill because no behaviour differs. `line`: text on the mutant's first line;
 * `code`: the exact code replaced, where the line holds several alike; `mutator` and `replacement`
 * as Stryker's report names them.
 * `followedBy`: the text right after that code, where the line holds the same code twice.
 * Each entry must match exactly one mutant (`count` when it names several alike).
 * @type {{ file: string; line: string; code?: string; followedBy?: string; count?: number; mutator: string; replacement: string; reason: string }[]}
 */
export const equivalentMutants = [
  {
    file: 'libs/platform-sdk/src/signals/prepare.ts',
    line: "const hash = typeof input.hash === 'string' ? input.hash.toLowerCase() : '';",
    code: "''",
    mutator: 'StringLiteral',
    replacement: '"Stryker was here!"',
    reason: 'a hash that is not a string becomes a string that is not 64 hex digits either way: hash_format both times',
  },
  ...[
    'for (let i = home(digestHash(digest), size); ; i = i + 1 === size ? 0 : i + 1) {',
    'for (let i = home(uuidHash(probe, 0), size); ; i = i + 1 === size ? 0 : i + 1) {',
    'for (let i = home(uuidHash(this.orderIds, slot * UUID), size); ; i = i + 1 === size ? 0 : i + 1) {',
    'while (this.orderTable[i] !== 0) i = i + 1 === size ? 0 : i + 1;',
    'while (this.entryTable[i] !== 0) i = i + 1 === size ? 0 : i + 1;',
  ].map((line) => ({
    file: SIGNAL_INDEX,
    line,
    code: 'i + 1',
    followedBy: ' === size',
    mutator: 'ArithmeticOperator',
    replacement: 'i - 1',
    reason:
      'the probe then wraps two places later: it reads places size and size + 1 first, which a typed array answers with undefined (neither empty, nor an entry, nor a match), and writes nothing there',
  })),
  ...[
    [
      'date.getUTCMonth() !== m - 1',
      'a month past its last day moves the day as well, and a month out of range moves the year: the other two tests refuse both',
    ],
    ['date.getUTCDate() !== d', "a day past its month's end moves the month as well: the month test refuses it"],
  ].map(([code, reason]) => ({
    file: NORMALIZE,
    line: 'if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;',
    code,
    mutator: 'ConditionalExpression',
    replacement: 'false',
    reason,
  })),
  ...[
    [undefined, 'ConditionalExpression', 'false'],
    ["'string'", 'StringLiteral', '""'],
  ].map(([code, mutator, replacement]) => ({
    file: SCREENER,
    line: "typeof signal.hash === 'string' &&",
    code,
    mutator,
    replacement,
    reason:
      'the fast path for a bare prehash is then never taken, and prepareSignal gives the same prehash, lowercased, and the same lookup',
  })),
  {
    file: SCREENER,
    line: '      ) {',
    mutator: 'BlockStatement',
    replacement: '{}',
    reason:
      'without the `continue`, a prehash found by the fast path is prepared and looked up again: the same orders twice, and decide() names each order and type once',
  },
  ...[
    [
      'false',
      'then a malformed prehash under a held pepper goes on to the next key id and to isHexPrehash, which refuses it as the early return did',
    ],
  ].map(([replacement, reason]) => ({
    file: SCREENER,
    line: 'if (this.peppers.has(keyId)) return false;',
    code: 'this.peppers.has(keyId)',
    mutator: 'ConditionalExpression',
    replacement,
    reason,
  })),
  {
    file: SCREENER,
    line: 'valid = true;',
    mutator: 'BooleanLiteral',
    replacement: 'false',
    reason: 'a digest exists only for 64 hex digits, so isHexPrehash, asked next, answers true for the same prehash',
  },
  ...[
    ['ConditionalExpression', 'false'],
    ['LogicalOperator', 'valid && isHexPrehash(prehashHex)'],
  ].map(([mutator, replacement]) => ({
    file: SCREENER,
    line: 'return valid || isHexPrehash(prehashHex);',
    code: 'valid || isHexPrehash(prehashHex)',
    mutator,
    replacement,
    reason:
      'a false answer only sends the signal through prepareSignal, which gives the same prehash (or the reason it is malformed) and looks it up again: the same orders, named once by decide()',
  })),
  ...[['n >= 1', 'Math.log2 of 0 or less is -Infinity or NaN, never an integer: the next test refuses those already']].map(
    ([code, reason]) => ({
      file: MERKLE_VERIFY,
      line: 'return n >= 1 && Number.isInteger(Math.log2(n)) && 2 ** Math.log2(n) === n;',
      code,
      mutator: 'ConditionalExpression',
      replacement: 'true',
      reason,
    }),
  ),
  {
    file: MERKLE,
    line: 'if (isPowerOfTwo(n) && start % n === 0) return src.subtree(Math.log2(n), start / n);',
    code: 'start % n === 0',
    mutator: 'ConditionalExpression',
    replacement: 'true',
    reason:
      'every range the recursion builds from 0 is aligned on its own size when that size is a power of two (RFC 9162 splits at the largest power of two below n)',
  },
  {
    file: MERKLE_VERIFY,
    line: 'if (fn % 2 === 0) {',
    count: 2, // one in each verifier
    mutator: 'ConditionalExpression',
    replacement: 'true',
    reason: 'the loop inside tests fn % 2 === 0 again before it shifts anything',
  },
  {
    file: MERKLE_VERIFY,
    line: 'while (fn % 2 === 0 && fn !== 0) {',
    code: 'fn !== 0',
    count: 2, // one in each verifier
    mutator: 'ConditionalExpression',
    replacement: 'true',
    reason: 'this loop runs where fn = sn, and sn > 0 there: a positive number halved until it is odd never reaches 0',
  },
  {
    file: MERKLE_VERIFY,
    line: 'if (path.length === 0) return false;',
    mutator: 'ConditionalExpression',
    replacement: 'false',
    reason:
      'an empty path only happens from a size that is not a power of two, whose walk cannot end at sn = 0 (that needs from = 2^k): the final test answers false before reading the missing hash',
  },
  {
    file: 'libs/platform-sdk/src/transparency/verify.ts',
    line: '} catch {',
    mutator: 'BlockStatement',
    replacement: '{}',
    reason: 'verifySignature\'s catch then returns undefined instead of false, and its one caller reads both as "does not verify"',
  },
  utf8IsTheDefault(VOPRF, "const TAG_PREFIX = Buffer.from('ostracon:v1:private-set', 'utf8');"),
  {
    file: VOPRF,
    line: "const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));",
    code: "'latin1'",
    mutator: 'StringLiteral',
    replacement: '""',
    reason: 'every text it encodes is ASCII (the RFC 9497 domain separation tags), whose UTF-8 bytes are its Latin-1 bytes',
  },
  ...[
    ['if (!isIdentity(scalar)) return scalar;', '!isIdentity(scalar)'],
    ['if (!isIdentity(secretKey)) return { secretKey, publicKey: publicKeyOf(secretKey) };', '!isIdentity(secretKey)'],
  ].map(([line, code]) => ({
    file: VOPRF,
    line,
    code,
    mutator: 'ConditionalExpression',
    replacement: 'true',
    reason: 'a scalar reduced from 64 hashed or random bytes is zero with probability 2^-252: the retry never runs',
  })),
  {
    file: VOPRF,
    line: 'for (let counter = 0; counter < 256; counter++) {',
    mutator: 'EqualityOperator',
    replacement: 'counter <= 256',
    reason: 'RFC 9497 DeriveKeyPair retries only on a zero scalar (probability 2^-252): the counter never passes 0',
  },
  ...[
    [
      'blindedElements.length === 0 || blindedElements.length !== evaluatedElements.length || proof.length !== PROOF_BYTES',
      'ConditionalExpression',
      'false',
    ],
    [
      'blindedElements.length === 0 || blindedElements.length !== evaluatedElements.length || proof.length !== PROOF_BYTES',
      'LogicalOperator',
      '(blindedElements.length === 0 || blindedElements.length !== evaluatedElements.length) && proof.length !== PROOF_BYTES',
    ],
    ['blindedElements.length === 0 || blindedElements.length !== evaluatedElements.length', 'ConditionalExpression', 'false'],
    [
      'blindedElements.length === 0 || blindedElements.length !== evaluatedElements.length',
      'LogicalOperator',
      'blindedElements.length === 0 && blindedElements.length !== evaluatedElements.length',
    ],
    ['blindedElements.length === 0', 'ConditionalExpression', 'false'],
    ['blindedElements.length !== evaluatedElements.length', 'ConditionalExpression', 'false'],
    ['proof.length !== PROOF_BYTES', 'ConditionalExpression', 'false'],
  ].map(([code, mutator, replacement]) => ({
    file: VOPRF,
    line: VERIFY_BATCH_GUARD,
    code,
    mutator,
    replacement,
    reason:
      'an early refusal only: an empty or uneven batch throws in the composite sum, which verifyBatch catches as false; a proof of another length leaves s of another length, which isValidScalar refuses',
  })),
  ...[
    ['![publicKey, ...blindedElements, ...evaluatedElements].every(isValidElement)', 'ConditionalExpression', 'false'],
    [
      '[publicKey, ...blindedElements, ...evaluatedElements].every(isValidElement)',
      'MethodExpression',
      '[publicKey, ...blindedElements, ...evaluatedElements].some(isValidElement)',
    ],
    ['[publicKey, ...blindedElements, ...evaluatedElements]', 'ArrayDeclaration', '[]'],
  ].map(([code, mutator, replacement]) => ({
    file: VOPRF,
    line: VERIFY_BATCH_ELEMENTS,
    code,
    mutator,
    replacement,
    reason:
      'an early refusal only: libsodium refuses a non-canonical or identity element in the multiplications that follow, and verifyBatch catches that as false',
  })),
  {
    file: TAG_SET,
    line: 'for (let slot = 0; slot < states.length; slot++) {',
    mutator: 'EqualityOperator',
    replacement: 'slot <= states.length',
    reason: 'the extra state read past the old table is undefined, neither strong nor possible: nothing is copied',
  },
  {
    file: TAG_SET,
    line: "state === STRONG ? 'strong' : 'possible'",
    code: "'possible'",
    mutator: 'StringLiteral',
    replacement: '""',
    reason: 'set() stores anything but "strong" as possible, so "" and "possible" store the same',
  },
  utf8IsTheDefault('libs/identity/src/hash.ts', "return value.length === 64 && Buffer.byteLength(value, 'utf8') === 64"),
  utf8IsTheDefault('libs/identity/src/hash.ts', "if (prehashHex.length !== 64 || Buffer.byteLength(prehashHex, 'utf8') !== 64"),
  utf8IsTheDefault('libs/platform-sdk/src/signals/prehash.ts', "return createHash('sha256').update(`ostracon:v1:"),
  utf8IsTheDefault('libs/common/src/key-ring-cipher.ts', " cipher.setAAD(Buffer.from(aad, 'utf8'));"),
  utf8IsTheDefault('libs/common/src/key-ring-cipher.ts', "decipher.setAAD(Buffer.from(aad, 'utf8'));"),
  ...[
    ["return value.length === 64 && Buffer.byteLength(value, 'utf8') === 64", 'value.length === 64', 'ConditionalExpression', 'true'],
    [
      "if (prehashHex.length !== 64 || Buffer.byteLength(prehashHex, 'utf8') !== 64",
      'prehashHex.length !== 64',
      'ConditionalExpression',
      'false',
    ],
  ].map(([line, code, mutator, replacement]) => ({
    file: 'libs/identity/src/hash.ts',
    line,
    code,
    mutator,
    replacement,
    reason:
      'a quick first test only: a string that decodes to 32 hex bytes and is 64 UTF-8 bytes long has 64 characters, so the byte length and the decoding decide alone',
  })),
  {
    file: 'libs/identity/src/hash.ts',
    line: 'for (let i = 0; i < 64; i++) {',
    mutator: 'EqualityOperator',
    replacement: 'i <= 64',
    reason:
      'the extra byte written is the first byte of the message area (inner[64], outer[64]), which every digest overwrites before hashing',
  },
  ...[
    ['ConditionalExpression', 'true'],
    ['EqualityOperator', 'i <= key.length'],
  ].map(([mutator, replacement]) => ({
    file: 'libs/identity/src/hash.ts',
    line: 'const k = i < key.length ? key[i]! : 0;',
    code: 'i < key.length',
    mutator,
    replacement,
    reason: 'past the key, key[i] is undefined, and undefined ^ 0x36 is 0x36 as 0 ^ 0x36 is (the key is zero-padded either way)',
  })),
  ...[
    ['a < b', 'EqualityOperator', 'a <= b'],
    ['a > b', 'EqualityOperator', 'a >= b'],
    ['a > b', 'ConditionalExpression', 'true'],
    ['a > b', 'ConditionalExpression', 'false'],
    ['a > b', 'EqualityOperator', 'a <= b'],
  ].map(([code, mutator, replacement]) => ({
    file: NORMALIZE,
    line: 'const tokens = [...given, ...family].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));',
    code,
    mutator,
    replacement,
    reason:
      'V8 sorts on whether the comparator is below 0, which these leave as it is for distinct tokens (they change its other answers, or its answer for two equal tokens, the same string in either order)',
  })),
  {
    file: SCREENER,
    line: 'private readonly matches: IndexMatch[] = [];',
    mutator: 'ArrayDeclaration',
    replacement: '["Stryker was here"]',
    reason: 'every matchSignals call empties the reused array first (`matches.length = 0`), so what it starts with is never read',
  },
  utf8IsTheDefault(SIGNED_NOTE, ".update(name, 'utf8')"),
  utf8IsTheDefault(SIGNED_NOTE, "sign(null, Buffer.from(text, 'utf8'), privateKey)"),
  utf8IsTheDefault(SIGNED_NOTE, "if (!verify(null, Buffer.from(text, 'utf8'), key.publicKey, s.signature))"),
  utf8IsTheDefault('libs/platform-sdk/src/transparency/cosignature.ts', 'return Buffer.from(`cosignature/v1'),
  utf8IsTheDefault(
    'libs/platform-sdk/src/transparency/verify.ts',
    "return verify(null, Buffer.from(text, 'utf8'), key.publicKey, signature);",
  ),
  utf8IsTheDefault('libs/platform-sdk/src/transparency/verify.ts', 'return leafHash(Buffer.from(canonicalize(event)!'),
  utf8IsTheDefault('libs/audit/src/checkpoint.ts', 'return Buffer.from(canonicalize({ size: c.size'),
  {
    file: SIGNED_NOTE,
    line: 'const m = /^([^+]+)\\+([^+]*)\\+(.*)$/su.exec(vkey);',
    mutator: 'Regex',
    replacement: '/^([^+]+)\\+([^+]*)\\+(.*)/su',
    reason: 'with the s flag the last group `(.*)` already runs to the end of the string: the `$` adds nothing',
  },
  {
    file: SIGNED_NOTE,
    line: 'const parts = m ? [m[1]!, m[2]!, m[3]!] : [];',
    mutator: 'ArrayDeclaration',
    replacement: '["Stryker was here"]',
    reason: 'a string that is no verifier key then has one part instead of none: either way not three, and refused the same',
  },
  {
    file: SIGNAL_INDEX,
    line: 'private readonly platformSets: Uint16Array[] = [];',
    mutator: 'ArrayDeclaration',
    replacement: '["Stryker was here"]',
    reason:
      "platform set ids are taken from the array's length when a set is added, so a leading element only shifts them by one; no id ever names it",
  },
  ...[
    ['key === undefined || platformNumber === undefined', 'ConditionalExpression', 'false'],
    ['key === undefined || platformNumber === undefined', 'LogicalOperator', 'key === undefined && platformNumber === undefined'],
    ['key === undefined', 'ConditionalExpression', 'false'],
    ['platformNumber === undefined', 'ConditionalExpression', 'false'],
  ].map(([code, mutator, replacement]) => ({
    file: SIGNAL_INDEX,
    line: 'if (key === undefined || platformNumber === undefined) return;',
    code,
    mutator,
    replacement,
    reason:
      "a fast path only: with a key id nothing was stored under, no entry's key matches (`meta >> 2 !== key`); with a platform no order names, no platform set includes it; the answer is the same empty list",
  })),
  {
    file: SIGNAL_INDEX,
    line: 'if (slot >>> ENTRY_BITS !== print) continue;',
    mutator: 'ConditionalExpression',
    replacement: 'false',
    reason: 'the fingerprint only skips, without reading the entry, digests that sameDigest then refuses anyway',
  },
  {
    file: SIGNAL_INDEX,
    line: 'for (let i = home(uuidHash(this.orderIds, slot * UUID), size); ; i = i + 1 === size ? 0 : i + 1) {',
    code: 'slot * UUID',
    mutator: 'ArithmeticOperator',
    replacement: 'slot / UUID',
    reason:
      "addOrder's search for the replaced id's place then starts at place 0 (a fractional offset reads no bytes) and walks on, wrapping: the place is in the table, so it is found all the same",
  },
  {
    file: SIGNAL_INDEX,
    line: 'const slots: number[] = [];',
    mutator: 'ArrayDeclaration',
    replacement: '["Stryker was here"]',
    reason:
      'placing the string writes "Stryker was here" + 1 into an Int32Array, which stores 0: an empty place, as before (typed arrays convert NaN to 0)',
  },
  {
    file: SIGNAL_INDEX,
    line: 'for (const v of this.orderTable) if (v !== 0) slots.push(v - 1);',
    mutator: 'ConditionalExpression',
    replacement: 'true',
    reason: 'each empty place then adds slot -1, which placeOrder writes as -1 + 1 = 0 into an empty place: nothing changes',
  },
  ...['numbers', 'a + b', '() => undefined'].map((replacement) => ({
    file: SIGNAL_INDEX,
    line: 'numbers.sort((a, b) => a - b);',
    mutator: { numbers: 'MethodExpression', 'a + b': 'ArithmeticOperator', '() => undefined': 'ArrowFunction' }[replacement],
    replacement,
    reason:
      'sorting only lets equal platform sets given in another order share one interned set (memory); a set matches the same platforms in any order',
  })),
  {
    file: SIGNAL_INDEX,
    line: 'if (id === undefined) {',
    mutator: 'ConditionalExpression',
    replacement: 'true',
    reason: 'interning only shares one set between orders naming the same platforms (memory); a fresh copy matches the same platforms',
  },
];
