import { defineErrors } from '@ostracon/common';

export const ScreeningErrors = defineErrors({
  indexLoading: {
    code: 'SCREENING.INDEX_LOADING',
    status: 503,
    title: 'The sign-up index is still loading',
    when: 'a sign-up check before this API process has built its index (`Retry-After: 2`)',
  },
  matchNotFound: {
    code: 'SIGNUP_MATCH.NOT_FOUND',
    status: 404,
    title: 'No such sign-up match',
    when: "no such sign-up match, or one of another authority's orders (or, for a platform's review, another platform's match)",
  },
  alreadyReviewed: {
    code: 'SIGNUP_MATCH.ALREADY_REVIEWED',
    status: 409,
    title: 'This match already has a final answer',
    when: 'a review of a match already answered `confirmed` or `not_same_person` with a different answer (the same answer again is a 200)',
  },
});
