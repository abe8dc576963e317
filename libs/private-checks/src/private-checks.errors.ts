import { defineErrors } from '@ostracon/common';

/** docs/errors.md § Private checks. */
export const PrivateCheckErrors = defineErrors({
  keyUnknown: {
    code: 'PRIVATE.KEY_UNKNOWN',
    status: 400,
    title: 'No OPRF key with this id serves here',
    when: 'an evaluation or match report under a key id that does not serve here (`GET /v1/private/keys` lists those that do)',
  },
  elementInvalid: {
    code: 'PRIVATE.ELEMENT_INVALID',
    status: 400,
    title: 'An element is not the canonical encoding of a ristretto255 element other than the identity',
    when: 'an element that is not the canonical encoding of a ristretto255 element, or is the identity; `errors[]` names each (`blindedElements[i]`, `elements[i]`)',
  },
  cursorInvalid: {
    code: 'PRIVATE.CURSOR_INVALID',
    status: 400,
    title: 'This cursor was not issued by this service',
    when: 'a set cursor this service did not issue to this platform: malformed, or its MAC does not match (forged, altered or borrowed)',
  },
  cursorStale: {
    code: 'PRIVATE.CURSOR_STALE',
    status: 410,
    title: 'The set this cursor follows is under a key that no longer serves: download the set again',
    when: 'a set cursor under a key that no longer serves, or from before removals a purge forgot: download the set again (docs/private-checks.md)',
  },
});
