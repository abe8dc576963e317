import { defineErrors } from '@ostracon/common';

export const PlatformErrors = defineErrors({
  alreadyExists: {
    code: 'PLATFORM.ALREADY_EXISTS',
    status: 409,
    title: 'A platform with this id exists',
    when: 'admin API or CLI: a platform with this id exists',
  },
  notFound: {
    code: 'PLATFORM.NOT_FOUND',
    status: 404,
    title: 'No such platform',
    when: 'admin API or CLI: a platform client for an unknown platform, or changing an unknown platform',
  },
  rotationInProgress: {
    code: 'PLATFORM.ROTATION_IN_PROGRESS',
    status: 409,
    title: 'The previous webhook secret still signs: rotating again would drop it',
    when: "rotating a webhook secret while the previous rotation's overlap lasts (give `force` to drop the older secret at once)",
  },
  webhookCredentials: {
    code: 'PLATFORM.WEBHOOK_CREDENTIALS',
    status: 400,
    title: 'A webhook URL may not carry credentials',
    when: 'a webhook URL with a user name or password (`https://user:pw@host/`): they would be stored, listed and logged in clear; the webhook secret authenticates deliveries',
  },
  webhookAddressForbidden: {
    code: 'PLATFORM.WEBHOOK_ADDRESS_FORBIDDEN',
    status: 400,
    title: 'A webhook may not point at a loopback or private address',
    when: 'a webhook URL whose host is `localhost` or a loopback, private, link-local or unspecified address, unless `WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true` (development)',
  },
  notPush: {
    code: 'PLATFORM.NOT_PUSH',
    status: 409,
    title: 'The platform pulls its directives: it has no webhook secret',
    when: 'admin API or CLI: rotating the webhook secret of a pull platform (it has none), or giving it a webhook URL',
  },
});
