import { defineErrors } from '@ostracon/common';

/** docs/errors.md § Private checks. */
export const PrivateCheckErrors = defineErrors({
  keyUnknown: { code: 'PRIVATE.KEY_UNKNOWN', status: 400, title: 'No OPRF key with this id serves here' },
  elementInvalid: {
    code: 'PRIVATE.ELEMENT_INVALID',
    status: 400,
    title: 'An element is not the canonical encoding of a ristretto255 element other than the identity',
  },
  cursorInvalid: { code: 'PRIVATE.CURSOR_INVALID', status: 400, title: 'This cursor was not issued by this service' },
  cursorStale: {
    code: 'PRIVATE.CURSOR_STALE',
    status: 410,
    title: 'The set this cursor follows is under a key that no longer serves: download the set again',
  },
});
