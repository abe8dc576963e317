import { defineErrors } from '@ostracon/common';

export const EnforcementErrors = defineErrors({
  directiveNotFound: {
    code: 'DIRECTIVE.NOT_FOUND',
    status: 404,
    title: 'No such directive',
    when: 'no such directive for the calling platform',
  },
  notAcknowledgeable: {
    code: 'DIRECTIVE.NOT_ACKNOWLEDGEABLE',
    status: 409,
    title: 'The directive cannot be acknowledged in its current state',
    when: 'acking a directive cancelled, failed or not yet relayed, or acking again with another outcome',
  },
});
