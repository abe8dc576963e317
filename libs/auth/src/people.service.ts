import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '@ostracon/audit';
import { DomainError, parseOrThrow, type Actor, PERSON_ROLES, type PersonRole } from '@ostracon/common';
import { isUniqueViolation, type OrganisationsRow, type PeopleRow, queryRows } from '@ostracon/database';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { AuthErrors } from './auth.errors';
import type { PersonView, ResolvedPeople, ResolvedPerson } from './auth.schemas';
import { OrganisationsService } from './organisations.service';
import { SessionStore } from './session.store';

export const invitePersonSchema = z.strictObject({
  email: z.email().max(254),
  organisation: z.uuid(),
});
export type InvitePersonInput = z.input<typeof invitePersonSchema>;

/** A person's move to another organisation, and so to its role: the same person, the same id. */
export const movePersonSchema = z.strictObject({ organisation: z.uuid() });
export type MovePersonInput = z.input<typeof movePersonSchema>;

export const listPeopleQuerySchema = z.strictObject({ organisation: z.uuid().optional() });

/** What a provider said of whoever signed in (docs/people.md). */
export interface SignInIdentity {
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  displayName: string | undefined;
}

export type SignInMatch =
  | { ok: true; person: { id: string; organisationId: string; organisationName: string; role: PersonRole } }
  | { ok: false; reason: 'unknown_person' | 'removed_person' | 'email_not_verified'; personId?: string };

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const view = (row: PeopleRow): PersonView => ({
  id: row.id,
  organisation: row.organisation_id,
  role: row.role,
  email: row.email,
  invitedAt: row.invited_at.toISOString(),
  signedInAt: iso(row.signed_in_at),
  removedAt: iso(row.removed_at),
});

/**
 * The people who sign in for an organisation: invited by an operator, matched at sign-in, removed.
 * The only owner of the `people` table. A removal ends the person's sessions in the same
 * transaction, and every session check joins `people`, so it takes effect at once.
 */
@Injectable()
export class PeopleService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly organisations: OrganisationsService,
    private readonly sessions: SessionStore,
  ) {}

  async invite(input: InvitePersonInput, actor: Actor): Promise<PersonView> {
    const p = parseOrThrow(invitePersonSchema, input);
    return this.dataSource.transaction(async (em) => {
      const organisation = await this.organisations.get(p.organisation, em);
      const role = organisation.role;
      if (!(PERSON_ROLES as readonly string[]).includes(role)) throw new DomainError(AuthErrors.platformPeople);
      const rows: PeopleRow[] = await em
        .query(`INSERT INTO people (id, organisation_id, role, email) VALUES ($1, $2, $3, $4) RETURNING *`, [
          uuidv7(),
          organisation.id,
          role,
          p.email.toLowerCase(),
        ])
        .catch((error: unknown) => {
          if (isUniqueViolation(error, 'uq_people_email')) throw new DomainError(AuthErrors.personAlreadyInvited);
          throw error;
        });
      const person = view(rows[0]!);
      // The log names the person by id; their e-mail is read only through an audited read.
      await this.audit.record(em, {
        type: 'person.invited',
        actor,
        data: { personId: person.id, organisationId: person.organisation, role },
      });
      return person;
    });
  }

  /** Removes a member: their sessions end now, and they can no longer sign in. */
  async remove(id: string, actor: Actor): Promise<void> {
    if (!z.uuid().safeParse(id).success) throw new DomainError(AuthErrors.personNotFound);
    await this.dataSource.transaction(async (em) => {
      const rows = await queryRows<PeopleRow>(em, `UPDATE people SET removed_at = now() WHERE id = $1 AND removed_at IS NULL RETURNING *`, [
        id,
      ]);
      const person = rows[0];
      if (!person) throw new DomainError(AuthErrors.personNotFound, 'No member with this id');
      const ended = await this.sessions.endAllOf(em, id);
      await this.audit.record(em, {
        type: 'person.removed',
        actor,
        data: { personId: id, organisationId: person.organisation_id, sessionsEnded: ended },
      });
    });
  }

  /**
   * Moves a member to another organisation, in its role: they keep their id, so their history is
   * one; their sessions end at once (a session acts for the organisation it began in), and the log
   * says from which organisation and role to which (`person.moved`).
   */
  async move(id: string, input: MovePersonInput, actor: Actor): Promise<PersonView> {
    if (!z.uuid().safeParse(id).success) throw new DomainError(AuthErrors.personNotFound);
    const p = parseOrThrow(movePersonSchema, input);
    return this.dataSource.transaction(async (em) => {
      const rows = await queryRows<PeopleRow>(em, `SELECT * FROM people WHERE id = $1 AND removed_at IS NULL FOR UPDATE`, [id]);
      const person = rows[0];
      if (!person) throw new DomainError(AuthErrors.personNotFound, 'No member with this id');
      const organisation = await this.organisations.get(p.organisation, em);
      if (!(PERSON_ROLES as readonly string[]).includes(organisation.role)) throw new DomainError(AuthErrors.platformPeople);
      if (organisation.id === person.organisation_id) throw new DomainError(AuthErrors.personAlreadyInOrganisation);
      const moved = await queryRows<PeopleRow>(em, `UPDATE people SET organisation_id = $2, role = $3 WHERE id = $1 RETURNING *`, [
        id,
        organisation.id,
        organisation.role,
      ]);
      const ended = await this.sessions.endAllOf(em, id, 'moved');
      await this.audit.record(em, {
        type: 'person.moved',
        actor,
        data: {
          personId: id,
          from: { organisationId: person.organisation_id, role: person.role },
          to: { organisationId: organisation.id, role: organisation.role },
          sessionsEnded: ended,
        },
      });
      return view(moved[0]!);
    });
  }

  /** Members, newest first; of one organisation when given. */
  async list(organisation?: string): Promise<PersonView[]> {
    if (organisation !== undefined && !z.uuid().safeParse(organisation).success) throw new DomainError(AuthErrors.organisationNotFound);
    const rows = await queryRows<PeopleRow>(
      this.dataSource,
      `SELECT * FROM people WHERE ($1::uuid IS NULL OR organisation_id = $1) ORDER BY id DESC`,
      [organisation ?? null],
    );
    return rows.map(view);
  }

  /**
   * A person signed in, as they see themselves in the console's header: the name their provider
   * gave and the e-mail they were invited with. Their own data, shown to them alone (GET
   * /v1/session answers only for the caller): not a read of someone else, so not audited as
   * `person.resolved` is.
   */
  async self(id: string): Promise<{ name: string | null; email: string; attemptMails: boolean } | null> {
    const rows = await queryRows<Pick<PeopleRow, 'display_name' | 'email' | 'attempt_mails_since'>>(
      this.dataSource,
      `SELECT display_name, email, attempt_mails_since FROM people WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    return row ? { name: row.display_name, email: row.email, attemptMails: row.attempt_mails_since !== null } : null;
  }

  /**
   * A person's choice to be told by e-mail of each new attempt on their organisation's orders
   * (docs/attempts.md § E-mails): from the moment they opt in, never for older attempts. Audited
   * `person.attempt_mails_set`; setting it again as it is changes nothing.
   */
  async setAttemptMails(id: string, enabled: boolean, actor: Actor, at: Date): Promise<{ enabled: boolean }> {
    await this.dataSource.transaction(async (em) => {
      const rows = await queryRows<Pick<PeopleRow, 'id'>>(
        em,
        `UPDATE people SET attempt_mails_since = CASE WHEN $2 THEN $3::timestamptz ELSE NULL END
         WHERE id = $1 AND removed_at IS NULL AND (attempt_mails_since IS NOT NULL) <> $2
         RETURNING id`,
        [id, enabled, at],
      );
      if (rows.length > 0) await this.audit.record(em, { type: 'person.attempt_mails_set', actor, data: { personId: id, enabled } });
    });
    return { enabled };
  }

  /** Who a person id is: an audited read (`person.resolved`), for auditors and operators. */
  async resolve(id: string, actor: Actor): Promise<ResolvedPerson> {
    if (!z.uuid().safeParse(id).success) throw new DomainError(AuthErrors.personNotFound);
    return this.dataSource.transaction(async (em) => {
      const rows = await queryRows<PeopleRow & { organisation_name: OrganisationsRow['name'] }>(
        em,
        `SELECT p.*, o.name AS organisation_name FROM people p JOIN organisations o ON o.id = p.organisation_id WHERE p.id = $1`,
        [id],
      );
      const row = rows[0];
      if (!row) throw new DomainError(AuthErrors.personNotFound);
      await this.audit.record(em, { type: 'person.resolved', actor, data: { personId: id } });
      return { ...view(row), displayName: row.display_name, organisationName: row.organisation_name };
    });
  }

  /**
   * Who the person ids of a page of the log are, in one audited read (`person.resolved`, with the
   * ids resolved): for an auditor or an operator any person; for an authority its own members
   * only, as the log it reads holds its own orders. An id the caller may not resolve is left out,
   * as an unknown one is: the answer says nothing of people elsewhere.
   */
  async resolveMany(ids: readonly string[], caller: { actor: Actor; organisationId: string | null }): Promise<ResolvedPeople> {
    return this.dataSource.transaction(async (em) => {
      const rows = await queryRows<
        Pick<PeopleRow, 'id' | 'display_name' | 'email' | 'organisation_id'> & { organisation_name: OrganisationsRow['name'] }
      >(
        em,
        `SELECT p.id, p.display_name, p.email, p.organisation_id, o.name AS organisation_name
         FROM people p JOIN organisations o ON o.id = p.organisation_id
         WHERE p.id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR p.organisation_id = $2)
         ORDER BY p.id`,
        [ids, caller.organisationId],
      );
      if (rows.length > 0) {
        await this.audit.record(em, { type: 'person.resolved', actor: caller.actor, data: { personIds: rows.map((r) => r.id) } });
      }
      return {
        items: rows.map((r) => ({
          id: r.id,
          displayName: r.display_name,
          email: r.email,
          organisation: r.organisation_id,
          organisationName: r.organisation_name,
        })),
      };
    });
  }

  /**
   * Who signed in: the member bound to the provider's (issuer, subject); else, on a first
   * sign-in, the member invited with this e-mail when the provider vouches for it, who is then
   * bound to the subject. A removed member is refused even if the provider knows them.
   */
  async matchSignIn(em: EntityManager, identity: SignInIdentity): Promise<SignInMatch> {
    const bound = () =>
      queryRows<PeopleRow>(em, `SELECT * FROM people WHERE issuer = $1 AND subject = $2 AND removed_at IS NULL FOR UPDATE`, [
        identity.issuer,
        identity.subject,
      ]);
    let person = (await bound())[0];
    if (!person && identity.email !== undefined) {
      // A first sign-in: the member invited with this e-mail (a person removed and invited again
      // is a new row, bound afresh).
      const invited = await queryRows<PeopleRow>(em, `SELECT * FROM people WHERE email = $1 AND removed_at IS NULL FOR UPDATE`, [
        identity.email.toLowerCase(),
      ]);
      const candidate = invited[0];
      if (candidate && candidate.subject === null) {
        if (!identity.emailVerified) return { ok: false, reason: 'email_not_verified', personId: candidate.id };
        person = candidate;
      }
      // The same person's first sign-in in two tabs: the other one bound them while this one waited.
      if (!person) person = (await bound())[0];
    }
    if (!person) {
      const removed = await queryRows<Pick<PeopleRow, 'id'>>(
        em,
        `SELECT id FROM people WHERE (issuer = $1 AND subject = $2) OR (email = $3 AND subject IS NULL) ORDER BY id DESC LIMIT 1`,
        [identity.issuer, identity.subject, identity.email?.toLowerCase() ?? null],
      );
      return removed[0] ? { ok: false, reason: 'removed_person', personId: removed[0].id } : { ok: false, reason: 'unknown_person' };
    }
    const names = await queryRows<Pick<OrganisationsRow, 'name'>>(
      em,
      `UPDATE people SET issuer = $2, subject = $3, display_name = $4, signed_in_at = now() WHERE id = $1
       RETURNING (SELECT name FROM organisations WHERE id = people.organisation_id)`,
      [person.id, identity.issuer, identity.subject, identity.displayName?.slice(0, 200) ?? person.display_name],
    );
    return {
      ok: true,
      person: { id: person.id, organisationId: person.organisation_id, organisationName: names[0]!.name, role: person.role },
    };
  }
}
