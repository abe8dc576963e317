import { type FormEvent, useState } from 'react';
import { type Organisation, type Platform, client, ok } from '../api';
import { Field } from '../field';
import { format, formatDateTime, messages as t } from '../i18n';
import { ConfirmButton, CopyButton, Loaded, Problem, Table, messageOf, useLoad } from '../ui';
import { useAction } from '../use-action';

const a = t.admin;
const ROLES = ['authority', 'auditor', 'admin', 'platform'] as const;

/** Shown once: a key or a secret the service keeps only hashed (or sealed). */
function Secret({ label, value, testId }: { label: string; value: string | null; testId: string }) {
  if (!value) return null;
  return (
    <div className="fr-alert fr-alert--warning fr-mt-2w fr-mb-3w" role="status" data-testid={testId}>
      <h3 className="fr-alert__title">{label}</h3>
      <p className="ost-mono" translate="no">
        {value}
      </p>
      <CopyButton value={value} what={label} testId={`${testId}-copy`} />
      <p>{a.shownOnce}</p>
    </div>
  );
}

/** Organisations with their keys and people, and the platforms: what an operator did with the CLI, over the admin API. */
export function AdminPage() {
  const organisations = useLoad(() => ok(client.GET('/v1/admin/organisations')), []);
  const [selected, setSelected] = useState<string | null>(null);
  const create = useAction();
  const org = organisations.value?.find((o) => o.id === selected) ?? null;

  const createOrganisation = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const target = event.currentTarget;
    void create.run(async () => {
      const created = await ok(
        client.POST('/v1/admin/organisations', {
          body: {
            name: String(form.get('name') ?? ''),
            role: String(form.get('role') ?? '') as Organisation['role'],
            ...(form.get('platform') ? { platform: String(form.get('platform')) } : {}),
          },
        }),
      );
      target.reset();
      organisations.reload();
      setSelected(created.id);
    });
  };

  return (
    <>
      <h1>{a.title}</h1>
      <p>
        <a className="fr-link fr-icon-external-link-line fr-link--icon-right" href="/admin/queues" target="_blank" rel="noopener">
          {a.queues}
        </a>
      </p>
      <h2>{a.organisations}</h2>
      <Loaded state={organisations}>
        {(list) => (
          <Table testId="organisations" caption={a.organisations} hideCaption>
            <thead>
              <tr>
                <th scope="col">{a.name}</th>
                <th scope="col">{a.role}</th>
                <th scope="col">{a.platform}</th>
                <th scope="col">{a.manage}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((o) => (
                <tr key={o.id}>
                  <td>{o.name}</td>
                  <td>{t.session.roles[o.role]}</td>
                  <td>{o.platform ?? '—'}</td>
                  <td>
                    <button
                      className="fr-btn fr-btn--sm fr-btn--tertiary"
                      type="button"
                      onClick={() => setSelected(o.id)}
                      aria-pressed={selected === o.id}
                    >
                      {a.manage}
                      <span className="fr-sr-only"> {o.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Loaded>
      <form
        className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mb-4w"
        onSubmit={createOrganisation}
        aria-label={a.newOrganisation}
      >
        <Field
          className="fr-col-12 fr-col-md-4"
          id="org-name"
          label={a.name}
          name="name"
          required
          maxLength={200}
          error={create.fieldError('name')}
        />
        <Field
          className="fr-col-6 fr-col-md-3"
          id="org-role"
          label={a.role}
          name="role"
          defaultValue="authority"
          error={create.fieldError('role')}
          options={ROLES.map((r) => ({ value: r, label: t.session.roles[r] }))}
        />
        <Field
          className="fr-col-6 fr-col-md-3"
          id="org-platform"
          label={a.platformIfAny}
          name="platform"
          error={create.fieldError('platform')}
        />
        <div className="fr-col-12 fr-col-md-2">
          <button className="fr-btn" type="submit" disabled={create.pending}>
            {a.create}
          </button>
        </div>
        {create.error !== undefined && <p className="fr-error-text fr-col-12">{messageOf(create.error)}</p>}
      </form>
      {org && <OrganisationPanel organisation={org} key={org.id} />}
      <Platforms />
    </>
  );
}

function OrganisationPanel({ organisation }: { organisation: Organisation }) {
  const clients = useLoad(() => ok(client.GET('/v1/admin/clients')), [organisation.id]);
  const people = useLoad(
    () => ok(client.GET('/v1/admin/people', { params: { query: { organisation: organisation.id } } })),
    [organisation.id],
  );
  const action = useAction();
  const [shown, setShown] = useState<string | null>(null);

  const createKey = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name') ?? '');
    const target = event.currentTarget;
    void action.run(async () => {
      const created = await ok(client.POST('/v1/admin/clients', { body: { name, organisation: organisation.id } }));
      setShown(created.apiKey);
      target.reset();
      clients.reload();
    });
  };
  const invite = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get('email') ?? '');
    const target = event.currentTarget;
    void action.run(async () => {
      await ok(client.POST('/v1/admin/people', { body: { email, organisation: organisation.id } }));
      target.reset();
      people.reload();
    });
  };
  const revoke = (id: string) =>
    void action.run(async () => {
      await ok(client.DELETE('/v1/admin/clients/{id}', { params: { path: { id } } }));
      clients.reload();
    });
  const remove = (id: string) =>
    void action.run(async () => {
      await ok(client.DELETE('/v1/admin/people/{id}', { params: { path: { id } } }));
      people.reload();
    });

  return (
    <section className="fr-mb-4w" aria-labelledby="org-title" data-testid="organisation-panel">
      <h2 id="org-title">
        {organisation.name} — {t.session.roles[organisation.role]}
      </h2>
      {action.error !== undefined && <Problem error={action.error} />}
      <Secret label={a.newKey} value={shown} testId="new-key" />
      <h3>{a.keys}</h3>
      <Loaded state={clients}>
        {(all) => (
          <ul>
            {all
              .filter((c) => c.organisation === organisation.id)
              .map((c) => (
                <li key={c.id}>
                  {c.name} — {formatDateTime(c.createdAt)} {c.revokedAt ? `(${a.revoked})` : ''}
                  {!c.revokedAt && (
                    <ConfirmButton
                      className="fr-btn fr-btn--sm fr-btn--tertiary fr-ml-2w"
                      label={a.revoke}
                      srLabel={c.name}
                      title={format(a.confirmRevokeTitle, { name: c.name })}
                      confirmLabel={a.revoke}
                      onConfirm={() => revoke(c.id)}
                    >
                      <p>{a.confirmRevoke}</p>
                    </ConfirmButton>
                  )}
                </li>
              ))}
          </ul>
        )}
      </Loaded>
      <form className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" onSubmit={createKey} aria-label={a.newKey}>
        <Field
          className="fr-col-12 fr-col-md-6"
          id="key-name"
          label={a.keyName}
          name="name"
          required
          maxLength={200}
          error={action.fieldError('name')}
        />
        <div className="fr-col-12 fr-col-md-3">
          <button className="fr-btn" type="submit" disabled={action.pending}>
            {a.createKey}
          </button>
        </div>
      </form>
      {organisation.role !== 'platform' && (
        <>
          <h3 className="fr-mt-3w">{a.people}</h3>
          <Loaded state={people}>
            {(list) => (
              <ul data-testid="people">
                {list.map((p) => (
                  <li key={p.id}>
                    {p.email} — {p.signedInAt ? formatDateTime(p.signedInAt) : a.neverSignedIn} {p.removedAt ? `(${a.removed})` : ''}
                    {!p.removedAt && (
                      <ConfirmButton
                        className="fr-btn fr-btn--sm fr-btn--tertiary fr-ml-2w"
                        label={a.remove}
                        srLabel={p.email}
                        title={format(a.confirmRemoveTitle, { email: p.email })}
                        confirmLabel={a.remove}
                        onConfirm={() => remove(p.id)}
                      >
                        <p>{a.confirmRemove}</p>
                      </ConfirmButton>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </Loaded>
          <form className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" onSubmit={invite} aria-label={a.invite}>
            <Field
              className="fr-col-12 fr-col-md-6"
              id="person-email"
              label={a.email}
              name="email"
              type="email"
              required
              autoComplete="off"
              error={action.fieldError('email')}
            />
            <div className="fr-col-12 fr-col-md-3">
              <button className="fr-btn" type="submit" disabled={action.pending}>
                {a.invite}
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}

function Platforms() {
  const platforms = useLoad(() => ok(client.GET('/v1/admin/platforms')), []);
  const action = useAction();
  const [secret, setSecret] = useState<{ platform: string; value: string } | null>(null);
  const update = (p: Platform, event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const webhookUrl = String(form.get('webhookUrl') ?? '').trim();
    void action.run(async () => {
      await ok(
        client.PATCH('/v1/admin/platforms/{id}', {
          params: { path: { id: p.id } },
          body: { slaHours: Number(form.get('slaHours')), ...(p.deliveryMode === 'push' && webhookUrl ? { webhookUrl } : {}) },
        }),
      );
      platforms.reload();
    });
  };
  const rotate = (p: Platform) =>
    void action.run(async () => {
      const rotated = await ok(
        client.POST('/v1/admin/platforms/{id}/webhook-secret', { params: { path: { id: p.id } }, body: { overlapHours: 24 } }),
      );
      setSecret(rotated.webhookSecret ? { platform: p.name, value: rotated.webhookSecret } : null);
    });
  return (
    <section aria-labelledby="platforms-title">
      <h2 id="platforms-title">{a.platforms}</h2>
      {action.error !== undefined && <Problem error={action.error} />}
      <Secret
        label={secret ? `${a.newSecret} ${format(a.secretFor, { platform: secret.platform })}` : a.newSecret}
        value={secret?.value ?? null}
        testId="new-webhook-secret"
      />
      <Loaded state={platforms}>
        {(list) =>
          list.map((p) => (
            <form
              key={p.id}
              className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mb-2w"
              onSubmit={(e) => update(p, e)}
              aria-label={p.name}
            >
              <p className="fr-col-12 fr-col-md-2 fr-mb-0">
                <strong>{p.name}</strong>
                <br />
                <span className="fr-text--xs">
                  <span translate="no">{p.id}</span> · {a.deliveryMode} {a.deliveryModes[p.deliveryMode] ?? p.deliveryMode}
                </span>
              </p>
              <Field
                className="fr-col-12 fr-col-md-4"
                id={`webhook-${p.id}`}
                label={a.webhook}
                name="webhookUrl"
                defaultValue={p.webhookUrl ?? ''}
                disabled={p.deliveryMode === 'pull'}
              />
              <Field
                className="fr-col-6 fr-col-md-2"
                id={`sla-${p.id}`}
                label={a.sla}
                name="slaHours"
                type="number"
                min={1}
                max={8760}
                defaultValue={p.slaHours}
              />
              <div className="fr-col-6 fr-col-md-4">
                <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
                  <li>
                    <button className="fr-btn" type="submit" disabled={action.pending}>
                      {a.save}
                    </button>
                  </li>
                  {p.deliveryMode === 'push' && (
                    <li>
                      <ConfirmButton
                        className="fr-btn fr-btn--secondary"
                        label={a.rotate}
                        disabled={action.pending}
                        title={a.confirmRotateTitle}
                        confirmLabel={a.rotate}
                        onConfirm={() => rotate(p)}
                      >
                        <p>{format(a.confirmRotate, { platform: p.name })}</p>
                      </ConfirmButton>
                    </li>
                  )}
                </ul>
              </div>
            </form>
          ))
        }
      </Loaded>
    </section>
  );
}
