import { useEffect, useState } from 'react';
import { client, ok } from './api';

type Offence = Awaited<ReturnType<typeof loadOffences>>[number];

let offences: ReturnType<typeof loadOffences> | undefined;

/** The offence list (GET /v1/offences), read once a page load: it changes with the service's version only. */
function loadOffences() {
  return ok(client.GET('/v1/offences')).then((list) => list.items);
}

export function useOffences(): Offence[] | undefined {
  const [list, setList] = useState<Offence[]>();
  useEffect(() => {
    let live = true;
    offences ??= loadOffences().catch((error: unknown) => {
      offences = undefined;
      throw error;
    });
    offences.then(
      (items) => live && setList(items),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return list;
}

/** An offence as the Code pénal names it, with its articles: "Harcèlement sexuel (Code pénal, art. 222-33)". */
export function OffenceLabel({ code }: { code: string }) {
  const offence = useOffences()?.find((o) => o.code === code);
  if (!offence) return <span data-testid="offence">{code}</span>;
  return (
    <span data-testid="offence">
      {offence.label} ({offence.articles.join(' ; ')})
    </span>
  );
}
