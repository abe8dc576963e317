import { defineErrors } from '@ostracon/common';

export const AuthErrors = defineErrors({
  clientNotFound: {
    code: 'CLIENT.NOT_FOUND',
    status: 404,
    title: 'No such API client',
    when: 'admin API or CLI: revoking an unknown or already revoked client',
  },
  // The same code the platforms lib answers for an unknown platform: one meaning, one code (and
  // one entry in docs/errors.md: the two must say the same, a test holds them together).
  platformNotFound: {
    code: 'PLATFORM.NOT_FOUND',
    status: 404,
    title: 'No such platform',
    when: 'admin API or CLI: a platform client for an unknown platform, or changing an unknown platform',
  },
  platformRequired: {
    code: 'CLIENT.PLATFORM_REQUIRED',
    status: 400,
    title: 'A platform client is bound to exactly one platform; other roles to none',
    when: 'admin API or CLI: a platform client or organisation without a platform, or another role with one',
  },
  organisationNotFound: {
    code: 'ORGANISATION.NOT_FOUND',
    status: 404,
    title: 'No such organisation',
    when: 'no organisation with this id',
  },
  organisationRoleMismatch: {
    code: 'CLIENT.ROLE_MISMATCH',
    status: 422,
    title: 'A key acts in its organisation’s role and for its platform',
    when: "a key asked with a role or platform other than its organisation's, or with neither organisation nor role",
  },
  personNotFound: {
    code: 'PERSON.NOT_FOUND',
    status: 404,
    title: 'No such person',
    when: 'removing or resolving a person who does not exist (or is already removed, for a removal)',
  },
  personAlreadyInvited: {
    code: 'PERSON.ALREADY_INVITED',
    status: 409,
    title: 'Someone with this e-mail is already a member',
    when: 'a member (not removed) already has this e-mail',
  },
  personAlreadyInOrganisation: {
    code: 'PERSON.ALREADY_IN_ORGANISATION',
    status: 409,
    title: 'The person is already a member of this organisation',
    when: 'admin API or CLI: moving a person to the organisation they already belong to',
  },
  personOnly: {
    code: 'PERSON.SESSION_REQUIRED',
    status: 403,
    title: 'Only a person signed in has this setting',
    when: 'an API key setting a person’s own preference (the e-mails of attempts)',
  },
  platformPeople: {
    code: 'PERSON.ROLE_NOT_ALLOWED',
    status: 422,
    title: 'Platforms act through API keys only: their organisations have no people',
    when: "inviting or moving a person to a platform's organisation: platforms act through keys only",
  },
  signInUnavailable: {
    code: 'SIGN_IN.NOT_CONFIGURED',
    status: 503,
    title: 'Sign-in is not configured on this service',
    when: '`/auth/sign-in` (or `/auth/callback`) on a service without an OpenID provider configured',
  },
  providerUnavailable: {
    code: 'SIGN_IN.PROVIDER_UNAVAILABLE',
    status: 503,
    title: 'The identity provider cannot be reached; try again shortly',
    when: "the provider's discovery document cannot be read; with `Retry-After`",
  },
  csrf: {
    code: 'SESSION.CSRF_REJECTED',
    status: 403,
    title: 'A change made with a session cookie must come from this site and carry its X-CSRF-Token',
    when: "a change made with a session cookie from another site, or without the session's `X-CSRF-Token` (docs/people.md)",
  },
});
