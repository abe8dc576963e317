import { type FormEvent, useState } from 'react';
import { api } from '../api';
import { format, formatDateTime, messages as t } from '../i18n';
import { messageOf, Problem, Table, useLoad } from '../ui';

interface Organisation {
  id: string;
  name: string;
  role: 'authority' | 'platform' | 'auditor' | 'admin';
  platform: string | null;
  createdAt: string;
}
interface Client {
  id: string;
  name: string;
  organisation: string;
  role: string;
  platform: string | null;
  createdAt: string;
  revokedAt: string | null;
}
interface Person {
  id: string;
  organisation: string;
  role: string;
  email: string;
  invitedAt: string;
  signedInAt: string | null;
  removedAt: string | null;
}
interface Platform {
  id: string;
  name: string;
  deliveryMode: 'push' | 'pull';
  webhookUrl: string | null;
  slaHours: number;
}

const a = t.admin;

/** A form that posts, shows the API's problem in place, and says what came back. */
function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** Shown once: a key or a secret the service keeps only hashed (or sealed). */
function Secret({ label, value, testId }: { label: string; value: string | null; testId: string }) {
  if (!value) return null;
  return (
    <div className="fr-alert fr-alert--warning fr-mt-2w" role="status" data-testid={testId}>
      <h3 className="fr-alert__title">{label}</h3>
      <p className="ost-mono">{value}</p>
      <p>{a.shownOnce}</p>
    </div>
  );
}

/** Organisations with their keys and people, and the platforms: what an operator did with the CLI, over the admin API. */
export function AdminPage() {
  const organisations = useLoad(() => api<Organisation[]>('/v1/admin/organisations'), []);
  const [selected, setSelected] = useState<string | null>(null);
  const create = useAction();
  const org = organisations.value?.find((o) => o.id === selected) ?? null;

  const createOrganisation = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const target = event.currentTarget;
    void create.run(async () => {
      const created = await api<Organisation>('/v1/admin/organisations', {
        method: 'POST',
        body: {
          name: String(form.get('name') ?? ''),
          role: String(form.get('role') ?? ''),
          ...(form.get('platform') ? { platform: String(form.get('platform')) } : {}),
        },
      });
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
      {organisations.error !== undefined && <Problem error={organisations.error} />}
      <Table testId="organisations" caption={a.organisations}>
        <thead>
          <tr>
            <th scope="col">{a.name}</th>
            <th scope="col">{a.role}</th>
            <th scope="col">{a.platform}</th>
            <th scope="col">{a.manage}</th>
          </tr>
        </thead>
        <tbody>
          {(organisations.value ?? []).map((o) => (
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
      <form
        className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mb-4w"
        onSubmit={createOrganisation}
        aria-label={a.newOrganisation}
      >
        <div className="fr-col-12 fr-col-md-4 fr-input-group">
          <label className="fr-label" htmlFor="org-name">
            {a.name}
          </label>
          <input className="fr-input" id="org-name" name="name" required maxLength={200} />
        </div>
        <div className="fr-col-6 fr-col-md-3 fr-select-group">
          <label className="fr-label" htmlFor="org-role">
            {a.role}
          </label>
          <select className="fr-select" id="org-role" name="role" defaultValue="authority">
            {(['authority', 'auditor', 'admin', 'platform'] as const).map((r) => (
              <option key={r} value={r}>
                {t.session.roles[r]}
              </option>
            ))}
          </select>
        </div>
        <div className="fr-col-6 fr-col-md-3 fr-input-group">
          <label className="fr-label" htmlFor="org-platform">
            {a.platformIfAny}
          </label>
          <input className="fr-input" id="org-platform" name="platform" />
        </div>
        <div className="fr-col-12 fr-col-md-2">
          <button className="fr-btn" type="submit" disabled={create.busy}>
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
  const clients = useLoad(() => api<Client[]>('/v1/admin/clients'), [organisation.id]);
  const people = useLoad(() => api<Person[]>(`/v1/admin/people?organisation=${organisation.id}`), [organisation.id]);
  const action = useAction();
  const [shown, setShown] = useState<string | null>(null);
  const keys = (clients.value ?? []).filter((c) => c.organisation === organisation.id);

  const createKey = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name') ?? '');
    const target = event.currentTarget;
    void action.run(async () => {
      const created = await api<{ apiKey: string }>('/v1/admin/clients', { method: 'POST', body: { name, organisation: organisation.id } });
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
      await api('/v1/admin/people', { method: 'POST', body: { email, organisation: organisation.id } });
      target.reset();
      people.reload();
    });
  };
  const revoke = (id: string) =>
    void action.run(async () => {
      if (!window.confirm(a.confirmRevoke)) return;
      await api(`/v1/admin/clients/${id}`, { method: 'DELETE' });
      clients.reload();
    });
  const remove = (id: string) =>
    void action.run(async () => {
      if (!window.confirm(a.confirmRemove)) return;
      await api(`/v1/admin/people/${id}`, { method: 'DELETE' });
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
      <ul>
        {keys.map((c) => (
          <li key={c.id}>
            {c.name} — {formatDateTime(c.createdAt)} {c.revokedAt ? `(${a.revoked})` : ''}
            {!c.revokedAt && (
              <button className="fr-btn fr-btn--sm fr-btn--tertiary fr-ml-2w" type="button" onClick={() => revoke(c.id)}>
                {a.revoke}
                <span className="fr-sr-only"> {c.name}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
      <form className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" onSubmit={createKey} aria-label={a.newKey}>
        <div className="fr-col-12 fr-col-md-6 fr-input-group">
          <label className="fr-label" htmlFor="key-name">
            {a.keyName}
          </label>
          <input className="fr-input" id="key-name" name="name" required maxLength={200} />
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <button className="fr-btn" type="submit" disabled={action.busy}>
            {a.createKey}
          </button>
        </div>
      </form>
      {organisation.role !== 'platform' && (
        <>
          <h3 className="fr-mt-3w">{a.people}</h3>
          <ul data-testid="people">
            {(people.value ?? []).map((p) => (
              <li key={p.id}>
                {p.email} — {p.signedInAt ? formatDateTime(p.signedInAt) : a.neverSignedIn} {p.removedAt ? `(${a.removed})` : ''}
                {!p.removedAt && (
                  <button className="fr-btn fr-btn--sm fr-btn--tertiary fr-ml-2w" type="button" onClick={() => remove(p.id)}>
                    {a.remove}
                    <span className="fr-sr-only"> {p.email}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
          <form className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" onSubmit={invite} aria-label={a.invite}>
            <div className="fr-col-12 fr-col-md-6 fr-input-group">
              <label className="fr-label" htmlFor="person-email">
                {a.email}
              </label>
              <input className="fr-input" id="person-email" name="email" type="email" required autoComplete="off" />
            </div>
            <div className="fr-col-12 fr-col-md-3">
              <button className="fr-btn" type="submit" disabled={action.busy}>
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
  const platforms = useLoad(() => api<Platform[]>('/v1/admin/platforms'), []);
  const action = useAction();
  const [secret, setSecret] = useState<{ platform: string; value: string } | null>(null);
  const update = (p: Platform, event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const webhookUrl = String(form.get('webhookUrl') ?? '').trim();
    void action.run(async () => {
      await api(`/v1/admin/platforms/${p.id}`, {
        method: 'PATCH',
        body: { slaHours: Number(form.get('slaHours')), ...(p.deliveryMode === 'push' && webhookUrl ? { webhookUrl } : {}) },
      });
      platforms.reload();
    });
  };
  const rotate = (p: Platform) =>
    void action.run(async () => {
      if (!window.confirm(format(a.confirmRotate, { platform: p.name }))) return;
      const rotated = await api<{ webhookSecret?: string }>(`/v1/admin/platforms/${p.id}/webhook-secret`, {
        method: 'POST',
        body: { overlapHours: 24 },
      });
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
      {(platforms.value ?? []).map((p) => (
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
              {p.id} · {p.deliveryMode}
            </span>
          </p>
          <div className="fr-col-12 fr-col-md-4 fr-input-group">
            <label className="fr-label" htmlFor={`webhook-${p.id}`}>
              {a.webhook}
            </label>
            <input
              className="fr-input"
              id={`webhook-${p.id}`}
              name="webhookUrl"
              defaultValue={p.webhookUrl ?? ''}
              disabled={p.deliveryMode === 'pull'}
            />
          </div>
          <div className="fr-col-6 fr-col-md-2 fr-input-group">
            <label className="fr-label" htmlFor={`sla-${p.id}`}>
              {a.sla}
            </label>
            <input className="fr-input" id={`sla-${p.id}`} name="slaHours" type="number" min={1} max={8760} defaultValue={p.slaHours} />
          </div>
          <div className="fr-col-6 fr-col-md-4">
            <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
              <li>
                <button className="fr-btn" type="submit" disabled={action.busy}>
                  {a.save}
                </button>
              </li>
              {p.deliveryMode === 'push' && (
                <li>
                  <button className="fr-btn fr-btn--secondary" type="button" onClick={() => rotate(p)} disabled={action.busy}>
                    {a.rotate}
                  </button>
                </li>
              )}
            </ul>
          </div>
        </form>
      ))}
    </section>
  );
}
