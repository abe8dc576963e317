import { defineErrors } from '@ostracon/common';

export const AuthErrors = defineErrors({
  clientNotFound: { code: 'CLIENT.NOT_FOUND', status: 404, title: 'No such API client' },
  // The same code the platforms lib answers for an unknown platform: one meaning, one code.
  platformNotFound: { code: 'PLATFORM.NOT_FOUND', status: 404, title: 'No such platform' },
  platformRequired: {
    code: 'CLIENT.PLATFORM_REQUIRED',
    status: 400,
    title: 'A platform client is bound to exactly one platform; other roles to none',
  },
  organisationNotFound: { code: 'ORGANISATION.NOT_FOUND', status: 404, title: 'No such organisation' },
  organisationRoleMismatch: {
    code: 'CLIENT.ROLE_MISMATCH',
    status: 422,
    title: 'A key acts in its organisation’s role and for its platform',
  },
  personNotFound: { code: 'PERSON.NOT_FOUND', status: 404, title: 'No such person' },
  personAlreadyInvited: { code: 'PERSON.ALREADY_INVITED', status: 409, title: 'Someone with this e-mail is already a member' },
  platformPeople: {
    code: 'PERSON.ROLE_NOT_ALLOWED',
    status: 422,
    title: 'Platforms act through API keys only: their organisations have no people',
  },
  signInUnavailable: { code: 'SIGN_IN.NOT_CONFIGURED', status: 503, title: 'Sign-in is not configured on this service' },
  providerUnavailable: {
    code: 'SIGN_IN.PROVIDER_UNAVAILABLE',
    status: 503,
    title: 'The identity provider cannot be reached; try again shortly',
  },
  csrf: {
    code: 'SESSION.CSRF_REJECTED',
    status: 403,
    title: 'A change made with a session cookie must come from this site and carry its X-CSRF-Token',
  },
  sessionRequired: { code: 'SESSION.REQUIRED', status: 401, title: 'This route is for people signed in' },
});
