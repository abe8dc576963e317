import { defineErrors } from '@ostracon/common';

/** Every refusal of an order names its legal source in `detail`. */
export const OrderErrors = defineErrors({
  notFound: {
    code: 'ORDER.NOT_FOUND',
    status: 404,
    title: 'No such order',
    when: 'no such order, or not one this client may see',
  },
  unknownOffence: {
    code: 'ORDER.UNKNOWN_OFFENCE',
    status: 422,
    title: 'The offence is not one the ban applies to',
    when: 'the offence is not in the list (`GET /v1/offences`)',
  },
  unknownPlatform: {
    code: 'ORDER.UNKNOWN_PLATFORM',
    status: 422,
    title: 'A named platform is not known to the service',
    when: 'a named platform is not registered; `errors` gives its index',
  },
  decisionInFuture: {
    code: 'ORDER.DECISION_IN_FUTURE',
    status: 422,
    title: 'The decision date is in the future',
    when: '`decisionDate` after today (Paris)',
  },
  decisionBeforeLaw: {
    code: 'ORDER.DECISION_BEFORE_LAW',
    status: 422,
    title: 'The decision predates the law that created the ban',
    when: '`decisionDate` before 2024-05-23',
  },
  startBeforeDecision: {
    code: 'ORDER.START_BEFORE_DECISION',
    status: 422,
    title: 'The ban starts before the decision',
    when: '`startsAt` before the decision day',
  },
  startTooFar: {
    code: 'ORDER.START_TOO_FAR',
    status: 422,
    title: 'The ban starts too far in the future',
    when: '`startsAt` more than 366 days ahead',
  },
  durationExceeded: {
    code: 'ORDER.DURATION_EXCEEDED',
    status: 422,
    title: 'The ban is longer than the law allows',
    when: 'longer than art. 131-35-1 allows, or not ending after it starts',
  },
  alreadyEnded: {
    code: 'ORDER.ALREADY_ENDED',
    status: 422,
    title: 'The ban would already be over',
    when: 'the window is already over',
  },
  devicePlatformNotNamed: {
    code: 'ORDER.DEVICE_PLATFORM_NOT_NAMED',
    status: 422,
    title: 'A device signal belongs to a platform the order does not name',
    when: 'a `device` signal names a platform the order does not',
  },
  signalInvalid: {
    code: 'SIGNAL.INVALID',
    status: 422,
    title: 'One or more identity signals are invalid',
    when: 'one or more signals invalid; `errors` = `[{ path: "subject.signals[i]", message: <reason> }]` (reasons in docs/signals.md)',
  },
  signalDuplicate: {
    code: 'SIGNAL.DUPLICATE',
    status: 422,
    title: 'The same identity signal is given more than once',
    when: 'the same signal twice in one order, compared after normalization; `errors` names each repeat and the first',
  },
  notRevocable: {
    code: 'ORDER.NOT_REVOCABLE',
    status: 409,
    title: 'The order has already ended',
    when: 'revoking an order already revoked or expired',
  },
  duplicateReference: {
    code: 'ORDER.DUPLICATE_REFERENCE',
    status: 409,
    title: 'The organisation already has an order with this court reference',
    when: 'the organisation already registered an order with this court reference (whatever the case) and the request does not say `duplicateReferenceConfirmed: true`',
  },
  exportTooLarge: {
    code: 'ORDER.EXPORT_TOO_LARGE',
    status: 422,
    title: 'Too many orders to export at once',
    when: 'more than 10,000 orders match the export’s filters: narrow them',
  },
  // Appeals and relèvement (docs/legal.md § Appeals and relèvement, decision 0027).
  appealNotASentence: {
    code: 'ORDER.APPEAL_NOT_A_SENTENCE',
    status: 422,
    title: 'Only a sentence can be appealed here',
    when: 'an appeal recorded on an order whose `legalBasis` is not `conviction`: a contrôle judiciaire or a probation condition is not a sentence that art. 506 CPP suspends',
  },
  notAppealable: {
    code: 'ORDER.NOT_APPEALABLE',
    status: 409,
    title: 'The order cannot be appealed now',
    when: 'an appeal recorded on an order that has ended, or that was already appealed (one appeal per order)',
  },
  noPendingAppeal: {
    code: 'ORDER.NO_PENDING_APPEAL',
    status: 409,
    title: 'The order has no appeal waiting for its outcome',
    when: 'an appeal’s outcome recorded on an order that is not `suspended`',
  },
  notRelievable: {
    code: 'ORDER.NOT_RELIEVABLE',
    status: 409,
    title: 'The order is not running',
    when: 'a relèvement recorded on an order that is not `scheduled` or `active` (ended, or suspended by an appeal)',
  },
  decisionDateInvalid: {
    code: 'ORDER.TRANSITION_DATE_INVALID',
    status: 422,
    title: 'The date is not possible for this decision',
    when: 'an appeal, its outcome or a relèvement dated in the future (Paris), or before the decision it follows (the sentence, the appeal)',
  },
});
