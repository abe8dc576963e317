import { defineErrors } from '@ostracon/common';

export const ScreeningErrors = defineErrors({
  indexLoading: { code: 'SCREENING.INDEX_LOADING', status: 503, title: 'The sign-up index is still loading' },
  matchNotFound: { code: 'SIGNUP_MATCH.NOT_FOUND', status: 404, title: 'No such sign-up match' },
});
