import { defineErrors } from '@ostracon/common';

export const PlatformErrors = defineErrors({
  alreadyExists: { code: 'PLATFORM.ALREADY_EXISTS', status: 409, title: 'A platform with this id exists' },
  notFound: { code: 'PLATFORM.NOT_FOUND', status: 404, title: 'No such platform' },
  rotationInProgress: {
    code: 'PLATFORM.ROTATION_IN_PROGRESS',
    status: 409,
    title: 'The previous webhook secret still signs: rotating again would drop it',
  },
  notPush: { code: 'PLATFORM.NOT_PUSH', status: 409, title: 'The platform pulls its directives: it has no webhook secret' },
});
