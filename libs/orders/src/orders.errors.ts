import { defineErrors } from '@ostracon/common';

/** Every refusal of an order names its legal source in `detail`. */
export const OrderErrors = defineErrors({
  notFound: { code: 'ORDER.NOT_FOUND', status: 404, title: 'No such order' },
  unknownOffence: { code: 'ORDER.UNKNOWN_OFFENCE', status: 422, title: 'The offence is not one the ban applies to' },
  unknownPlatform: { code: 'ORDER.UNKNOWN_PLATFORM', status: 422, title: 'A named platform is not known to the service' },
  decisionInFuture: { code: 'ORDER.DECISION_IN_FUTURE', status: 422, title: 'The decision date is in the future' },
  decisionBeforeLaw: {
    code: 'ORDER.DECISION_BEFORE_LAW',
    status: 422,
    title: 'The decision predates the law that created the ban',
  },
  startBeforeDecision: { code: 'ORDER.START_BEFORE_DECISION', status: 422, title: 'The ban starts before the decision' },
  startTooFar: { code: 'ORDER.START_TOO_FAR', status: 422, title: 'The ban starts too far in the future' },
  durationExceeded: { code: 'ORDER.DURATION_EXCEEDED', status: 422, title: 'The ban is longer than the law allows' },
  alreadyEnded: { code: 'ORDER.ALREADY_ENDED', status: 422, title: 'The ban would already be over' },
  devicePlatformNotNamed: {
    code: 'ORDER.DEVICE_PLATFORM_NOT_NAMED',
    status: 422,
    title: 'A device signal belongs to a platform the order does not name',
  },
  signalInvalid: { code: 'SIGNAL.INVALID', status: 422, title: 'One or more identity signals are invalid' },
  signalDuplicate: { code: 'SIGNAL.DUPLICATE', status: 422, title: 'The same identity signal is given more than once' },
  notRevocable: { code: 'ORDER.NOT_REVOCABLE', status: 409, title: 'The order has already ended' },
});
