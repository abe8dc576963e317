import { client, ok } from './api';
import { Field } from './field';
import { messages as t } from './i18n';
import { useLoad } from './ui';

/**
 * The platforms by their names (GET /v1/platforms), for every page that shows or filters by one:
 * `nameOf` gives the name, or the id until the names come (or for a platform the list lacks).
 */
export function usePlatformNames() {
  const platforms = useLoad(() => ok(client.GET('/v1/platforms')), []);
  const items = platforms.value?.items ?? [];
  const names = new Map(items.map((p) => [p.id, p.name]));
  return { loaded: platforms.value !== undefined, items, names, nameOf: (id: string) => names.get(id) ?? id };
}

/** A filter on one platform, chosen by its name; a platform in the URL that the list does not name stays chosen. */
export function PlatformField({
  platforms,
  className,
  id,
  label,
  defaultValue,
}: {
  platforms: ReturnType<typeof usePlatformNames>;
  className: string;
  id: string;
  label: string;
  defaultValue: string;
}) {
  return (
    <Field
      // Keyed by the list: the select is drawn again with the platform chosen once the names are there.
      key={platforms.loaded ? 'named' : 'loading'}
      className={className}
      id={id}
      label={label}
      name="platform"
      defaultValue={defaultValue}
      options={[
        { value: '', label: t.common.all },
        ...platforms.items.map((p) => ({ value: p.id, label: p.name })),
        ...(defaultValue && !platforms.names.has(defaultValue) ? [{ value: defaultValue, label: defaultValue }] : []),
      ]}
    />
  );
}
