import { formatPath } from './zod';

describe('error paths', () => {
  it('name fields and indexes as a client wrote them', () => {
    expect(formatPath(['subject', 'signals', 2, 'value', 'givenName'])).toBe('subject.signals[2].value.givenName');
    expect(formatPath([])).toBe('(root)');
    expect(formatPath(['priority'])).toBe('priority');
  });

  it.each(['jean.dupont@example.fr', '<script>alert(1)</script>', 'Jean Dupont', '0612345678', 'x'.repeat(65), 'a\u0000b', ''])(
    'never repeat a key that is not shaped like a field name: %j',
    (key) => {
      const path = formatPath(['subject', key]);
      expect(path).toBe('subject.(a key not shown)');
    },
  );
});
