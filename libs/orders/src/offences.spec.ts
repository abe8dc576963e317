import { OFFENCES, isKnownOffence } from './offences';
import { offenceSchema } from './orders.schemas';

/** What a person reads of an offence is French: the Code pénal's own heading, and its articles. */
describe('the offence list (data/offences.json)', () => {
  it('gives each offence a French label, an English one for platforms, and its articles', () => {
    const wrong = OFFENCES.filter((o) => {
      const parsed = offenceSchema.safeParse(o);
      return (
        !parsed.success ||
        o.label === o.labelEn ||
        /\b(harassment|theft|offence|of|and|the)\b/i.test(o.label) ||
        o.articles.length === 0 ||
        !o.articles.every((a) => /^(Code pénal, art\. \d{3}-\d+(-\d+)*|Loi du 29 juillet 1881, art\. 24( bis)?)$/.test(a))
      );
    });
    expect(wrong).toEqual([]);
    expect(new Set(OFFENCES.map((o) => o.code)).size).toBe(OFFENCES.length);
  });

  it.each([
    ['cyberharassment', 'Harcèlement moral en ligne (cyberharcèlement)', ['Code pénal, art. 222-33-2-2']],
    ['sexual_harassment', 'Harcèlement sexuel', ['Code pénal, art. 222-33']],
    ['identity_theft', 'Usurpation d’identité', ['Code pénal, art. 226-4-1']],
    ['doxxing', 'Mise en danger d’autrui par la diffusion d’informations personnelles', ['Code pénal, art. 223-1-1']],
  ])('%s: %s', (code, label, articles) => {
    expect(OFFENCES.find((o) => o.code === code)).toMatchObject({ label, articles });
    expect(isKnownOffence(code)).toBe(true);
  });
});
