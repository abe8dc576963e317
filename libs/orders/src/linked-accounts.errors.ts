import { defineErrors } from '@ostracon/common';

/** Linked accounts (decision 0026): a platform's reports of the person's other accounts. */
export const LinkedAccountErrors = defineErrors({
  orderNotFound: {
    code: 'LINKED_ACCOUNT.ORDER_NOT_FOUND',
    status: 404,
    title: 'No such order for this client',
    when: 'no such order, or one that does not name the reporting platform, or not the authority’s',
  },
  notFound: {
    code: 'LINKED_ACCOUNT.NOT_FOUND',
    status: 404,
    title: 'No such linked-account report',
    when: 'no report with this id on this order',
  },
  orderNotInForce: {
    code: 'LINKED_ACCOUNT.ORDER_NOT_IN_FORCE',
    status: 409,
    title: 'The order is not active nor scheduled',
    when: 'a report or an acceptance on an order expired or revoked (art. 131-35-1: the ban binds only while it runs)',
  },
  duplicate: {
    code: 'LINKED_ACCOUNT.DUPLICATE',
    status: 409,
    title: 'This account was already reported for this order',
    when: 'the platform already reported this account id for this order',
  },
  alreadyDecided: {
    code: 'LINKED_ACCOUNT.ALREADY_DECIDED',
    status: 409,
    title: 'The report was already decided',
    when: 'a second decision on a report already accepted or rejected',
  },
  signalInvalid: {
    code: 'LINKED_ACCOUNT.SIGNAL_INVALID',
    status: 422,
    title: 'A reported signal is not a valid prehash',
    when: 'a signal’s `hash` is not 64 hex digits, or two signals are the same; `errors` names them',
  },
});
