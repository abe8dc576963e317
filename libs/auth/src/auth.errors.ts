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
});
