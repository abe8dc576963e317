import fc from 'fast-check';
// eslint-disable-next-line no-restricted-imports -- the public vectors live in docs/, for every language
import vectorsFile from '../../../../docs/vectors/signals-v1.json';
import {
  nameTokens,
  normalizeDevice,
  normalizeEmail,
  normalizeNameDob,
  normalizePhone,
  normalizeValue,
  parseCalendarDate,
} from './normalize';
import { prehash } from './prehash';
import { prepareSignal } from './prepare';
import { SIGNAL_STRENGTH, type SignalInput } from './signal-types';

const context = vectorsFile.context;

describe('docs/signals.md v1 public test vectors', () => {
  it('ships at least 40 vectors, invalid ones among them', () => {
    expect(vectorsFile.vectors.length).toBeGreaterThanOrEqual(40);
    expect(vectorsFile.vectors.filter((v) => 'invalid' in v).length).toBeGreaterThanOrEqual(10);
  });

  it.each(vectorsFile.vectors.map((v) => [v.name, v] as const))('%s', (_name, vector) => {
    const result = prepareSignal(vector.input as SignalInput, context);
    if ('invalid' in vector) {
      expect(result).toEqual({ ok: false, reason: vector.invalid });
    } else {
      expect(result).toMatchObject({ ok: true, signal: { type: vector.input.type, prehash: vector.prehash } });
    }
  });

  it('gives the normalized form the vectors document', () => {
    for (const vector of vectorsFile.vectors) {
      if (!('normalized' in vector) || vector.normalized === undefined) continue;
      expect(prehash(vector.input.type as SignalInput['type'], vector.normalized)).toBe(vector.prehash);
    }
  });
});

const letters = fc.stringMatching(/^[a-z]{1,12}$/);
const accented: Record<string, string[]> = { e: ['e', 'é', 'è', 'ê', 'É', 'E'], a: ['a', 'à', 'â', 'A', 'À'], c: ['c', 'ç', 'C', 'Ç'] };

/** The same letters in another case, with accents, as another human would type them. */
function variant(word: string, picks: number[]): string {
  return [...word]
    .map((ch, i) => {
      const options = accented[ch] ?? [ch, ch.toUpperCase()];
      return options[(picks[i % picks.length] ?? 0) % options.length];
    })
    .join('');
}

describe('normalization properties', () => {
  it('normalizing an email twice changes nothing', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.constantFrom('gmail.com', 'googlemail.com', 'example.fr', 'Orange.FR'),
        (local, domain) => {
          const once = normalizeEmail(`${local}@${domain}`);
          if (!once.ok) return;
          expect(normalizeEmail(once.normalized)).toEqual(once);
        },
      ),
    );
  });

  it('normalizing a phone number twice changes nothing', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^0[67][0-9]{8}$/), fc.constantFrom('FR', 'BE', 'DE', 'GB'), (digits, country) => {
        const once = normalizePhone(digits, country, 'FR');
        if (!once.ok) return;
        expect(normalizePhone(once.normalized, undefined, 'FR')).toEqual(once);
      }),
    );
  });

  it('normalizing name tokens twice changes nothing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (name) => {
        const once = nameTokens(name);
        expect(nameTokens(once.join(' '))).toEqual(once);
      }),
    );
  });

  it('case, spacing and accent variants of an email give one hash', () => {
    fc.assert(
      fc.property(letters, letters, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (user, host, picks) => {
        const a = prepareSignal({ type: 'email', value: `${user}@${host}.fr` }, context);
        const b = prepareSignal({ type: 'email', value: `  ${user.toUpperCase()}@${host.toUpperCase()}.FR\t` }, context);
        expect(a.ok && b.ok && a.signal.prehash === b.signal.prehash).toBe(true);
        void picks;
      }),
    );
  });

  it('case, spacing, accent and order variants of a name give one hash', () => {
    fc.assert(
      fc.property(letters, letters, letters, fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (g, f1, f2, picks) => {
        const plain = normalizeNameDob({ givenName: g, familyName: `${f1} ${f2}`, birthDate: '1990-01-31' }, context.today);
        const typed = normalizeNameDob(
          {
            givenName: `  ${variant(f2, picks)}-${variant(f1, picks)} `,
            familyName: variant(g, picks.slice(1).concat(picks)),
            birthDate: '1990-01-31',
          },
          context.today,
        );
        expect(plain.ok).toBe(true);
        expect(typed).toEqual(plain);
      }),
    );
  });

  it('phone formats with and without the country code give one hash', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[67][0-9]{8}$/), (rest) => {
        const national = prepareSignal({ type: 'phone', value: `0${rest}` }, context);
        const spaced = prepareSignal(
          {
            type: 'phone',
            value: `0${rest.slice(0, 1)} ${rest.slice(1, 3)} ${rest.slice(3, 5)} ${rest.slice(5, 7)} ${rest.slice(7)}`,
            country: 'FR',
          },
          context,
        );
        const international = prepareSignal({ type: 'phone', value: `+33 ${rest}` }, context);
        if (!national.ok) return; // not every 0[67] range is allocated
        expect(spaced).toEqual(national);
        expect(international).toEqual(national);
      }),
    );
  });

  it('never puts the raw value in a refusal', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 3, maxLength: 30 }), (raw) => {
        for (const type of ['email', 'phone', 'device'] as const) {
          const result = prepareSignal({ type, value: raw }, context);
          if (!result.ok) expect(JSON.stringify(result)).not.toContain(JSON.stringify(raw).slice(1, -1));
        }
      }),
    );
  });
});

describe('normalization limits and strengths', () => {
  it('refuses a name that keeps no Latin letter on either side, whichever side it is', () => {
    const born = '1991-04-17';
    expect(normalizeNameDob({ givenName: 'Дарья', familyName: 'Testeuse', birthDate: born }, context.today)).toEqual({
      ok: false,
      reason: 'name_empty',
    });
    expect(normalizeNameDob({ givenName: 'Jeanne', familyName: '李', birthDate: born }, context.today)).toEqual({
      ok: false,
      reason: 'name_empty',
    });
    expect(normalizeNameDob({ givenName: 'Jeanne', familyName: 'Testeuse', birthDate: born }, context.today)).toEqual({
      ok: true,
      normalized: 'jeanne testeuse|19910417',
    });
  });

  it('reads a phone number of at most 64 characters, and only a number, not one buried in text', () => {
    const number = '+33 6 12 34 56 78';
    expect(normalizePhone(number, undefined, 'FR')).toEqual({ ok: true, normalized: '+33612345678' });
    // Padded to 64 characters it is still read; one more and it is refused before parsing.
    expect(normalizePhone(number.padEnd(64, ' '), undefined, 'FR')).toEqual({ ok: true, normalized: '+33612345678' });
    expect(normalizePhone(number.padEnd(65, ' '), undefined, 'FR')).toEqual({ ok: false, reason: 'phone_not_a_number' });
    // A number inside a sentence is not a phone signal (libphonenumber would extract it if asked).
    expect(normalizePhone(`call me on ${number} tonight`, undefined, 'FR')).toEqual({ ok: false, reason: 'phone_not_a_number' });
  });

  it('takes a device identifier of at most 256 characters, trimmed, on its platform', () => {
    expect(normalizeDevice(' abc ', 'tiktok')).toEqual({ ok: true, normalized: 'tiktok:abc' });
    expect(normalizeDevice('d'.repeat(256), 'tiktok')).toEqual({ ok: true, normalized: `tiktok:${'d'.repeat(256)}` });
    expect(normalizeDevice('d'.repeat(257), 'tiktok')).toEqual({ ok: false, reason: 'device_too_long' });
    expect(normalizeDevice('   ', 'tiktok')).toEqual({ ok: false, reason: 'device_empty' });
    expect(normalizeDevice('abc', undefined)).toEqual({ ok: false, reason: 'device_platform_required' });
  });

  it('blocks on an email, a phone or a device, and only reviews on a name with a birth date', () => {
    expect(SIGNAL_STRENGTH).toEqual({ email: 'strong', phone: 'strong', name_dob: 'possible', device: 'strong' });
  });
});

describe('normalization bounds and shapes', () => {
  const today = context.today;
  const born = '1991-04-17';

  it('reads an e-mail address of at most 320 characters', () => {
    const at = (length: number) => `${'a'.repeat(length - '@example.fr'.length)}@example.fr`;
    expect(normalizeEmail(at(320))).toEqual({ ok: true, normalized: at(320) });
    expect(normalizeEmail(at(321))).toEqual({ ok: false, reason: 'email_too_long' });
  });

  it('calls an address without a local part that, before looking at its domain', () => {
    expect(normalizeEmail('@example..fr')).toEqual({ ok: false, reason: 'email_local_part_empty' });
  });

  it('reads a calendar date only as YYYY-MM-DD that exists', () => {
    expect(parseCalendarDate('2024-02-29')).toEqual({ y: 2024, m: 2, d: 29 });
    for (const text of ['nope', 'x2024-02-01', '2024-02-011', '2023-02-29', '2024-13-01', '2024-00-10', '0050-01-01']) {
      expect([text, parseCalendarDate(text)]).toEqual([text, undefined]);
    }
    expect(normalizeNameDob({ givenName: 'Jeanne', familyName: 'Testeuse', birthDate: `${born}x` }, today)).toEqual({
      ok: false,
      reason: 'birth_date_format',
    });
    expect(normalizeNameDob({ givenName: 'Jeanne', familyName: 'Testeuse', birthDate: `x${born}` }, today)).toEqual({
      ok: false,
      reason: 'birth_date_format',
    });
  });

  it('reads names of at most 200 characters each', () => {
    const long = (n: number) => `${'a'.repeat(n - 1)}b`;
    expect(normalizeNameDob({ givenName: long(200), familyName: long(200), birthDate: born }, today).ok).toBe(true);
    for (const value of [
      { givenName: long(201), familyName: 'Testeuse', birthDate: born },
      { givenName: 'Jeanne', familyName: long(201), birthDate: born },
    ]) {
      expect(normalizeNameDob(value, today)).toEqual({ ok: false, reason: 'name_too_long' });
    }
  });

  it('sorts the name tokens, whatever order and side they come in', () => {
    const forms = [
      ['Zoé Anne', 'Martin Brun'],
      ['Brun Martin', 'Anne Zoé'],
      ['Martin', 'Zoé Brun Anne'],
      ['Anne Brun Martin Zoé', 'Anne'],
    ];
    const out = forms.map(([givenName, familyName]) =>
      normalizeNameDob({ givenName: givenName!, familyName: familyName!, birthDate: born }, today),
    );
    expect(out.slice(0, 3)).toEqual(Array(3).fill({ ok: true, normalized: 'anne brun martin zoe|19910417' }));
    expect(out[3]).toEqual({ ok: true, normalized: 'anne anne brun martin zoe|19910417' });
  });

  it('takes a name with a birth date only as an object of three strings, and the other types only as strings', () => {
    const ctx = { ...context, platform: 'tiktok' };
    const good = { givenName: 'Jeanne', familyName: 'Testeuse', birthDate: born };
    expect(normalizeValue('name_dob', good, ctx).ok).toBe(true);
    const shapes: unknown[] = [
      undefined,
      null,
      'Jeanne Testeuse 1991-04-17',
      [good],
      { ...good, extra: 'x' },
      { ...good, givenName: 1 },
      { ...good, familyName: null },
      { ...good, birthDate: 19910417 },
    ];
    for (const value of shapes) expect(normalizeValue('name_dob', value, ctx)).toEqual({ ok: false, reason: 'value_wrong_type' });
    for (const type of ['email', 'phone', 'device'] as const) {
      expect(normalizeValue(type, { value: 'x' }, ctx)).toEqual({ ok: false, reason: 'value_wrong_type' });
      expect(normalizeValue(type, 612345678, ctx)).toEqual({ ok: false, reason: 'value_wrong_type' });
    }
    expect(normalizeValue('phone', '06 12 34 56 78', ctx)).toEqual({ ok: true, type: 'phone', normalized: '+33612345678' });
    expect(normalizeValue('device', 'abc', ctx)).toEqual({ ok: true, type: 'device', normalized: 'tiktok:abc' });
  });

  it('takes a prehash only as 64 hex digits, read in lower case', () => {
    const hash = prehash('email', 'jeanne@example.fr');
    expect(prepareSignal({ type: 'email', hash: hash.toUpperCase() }, context)).toEqual({
      ok: true,
      signal: { type: 'email', strength: 'strong', prehash: hash },
    });
    for (const bad of [`${hash}0`, `x${hash.slice(1)}`, hash.slice(1), '']) {
      expect(prepareSignal({ type: 'email', hash: bad }, context)).toEqual({ ok: false, reason: 'hash_format' });
    }
    expect(prepareSignal({ type: 'email', hash: 1234 as unknown as string }, context)).toEqual({ ok: false, reason: 'hash_format' });
  });

  it('takes a platform only on a device, and a country only on a phone given as its value', () => {
    const hash = prehash('email', 'jeanne@example.fr');
    expect(prepareSignal({ type: 'email', value: 'jeanne@example.fr', platform: 'tiktok' }, context)).toEqual({
      ok: false,
      reason: 'field_not_allowed',
    });
    expect(prepareSignal({ type: 'phone', hash, country: 'FR' }, context)).toEqual({ ok: false, reason: 'field_not_allowed' });
    expect(prepareSignal({ type: 'device', value: 'abc', platform: 'tiktok' }, context)).toMatchObject({ ok: true });
  });
});
