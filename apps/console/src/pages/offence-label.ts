import { client, ok } from '../api';
import { useLoad } from '../ui';

/**
 * How a page names an order's offence: the label `GET /v1/offences` gives it and the articles it
 * cites, or its code until the list is there (or if the list no longer has it).
 */
export function useOffenceLabel(): (code: string) => string {
  const offences = useLoad(() => ok(client.GET('/v1/offences')), []);
  return (code) => {
    const offence = offences.value?.items.find((o) => o.code === code);
    if (!offence) return code;
    return offence.articles.length > 0 ? `${offence.label} (${offence.articles.join(', ')})` : offence.label;
  };
}
