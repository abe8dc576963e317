import { defineErrors } from '@ostracon/common';

/** The evidence file of a confirmed attempt (GET /v1/orders/{id}/evidence/{matchId}). docs/auditing.md § Evidence file. */
export const EvidenceErrors = defineErrors({
  orderNotFound: {
    code: 'EVIDENCE.ORDER_NOT_FOUND',
    status: 404,
    title: 'No such order',
    when: 'the log holds no creation of that order, or it is not one of this authority’s orders',
  },
  matchNotFound: {
    code: 'EVIDENCE.MATCH_NOT_FOUND',
    status: 404,
    title: 'No such sign-up attempt for this order',
    when: 'the log holds no `signup.matched` of that matchId for that order',
  },
  notConfirmed: {
    code: 'EVIDENCE.NOT_CONFIRMED',
    status: 409,
    title: 'The platform has not confirmed this attempt',
    when: 'the attempt has no review, or its latest `signup_match.reviewed` says `not_same_person` or `unknown`: only a confirmed attempt has an evidence file',
  },
  notYetWitnessed: {
    code: 'EVIDENCE.NOT_YET_WITNESSED',
    status: 409,
    title: 'The confirmation is not yet under a witnessed checkpoint',
    when: 'the newest checkpoint cosigned by the witnesses’ quorum does not yet hold the confirmation: try again after `Retry-After` seconds (the worker signs and has cosigned a checkpoint every few seconds)',
  },
});
