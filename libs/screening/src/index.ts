export { IndexLoader } from './index-loader';
export { Screener, decide } from './screener';
export { ScreeningIndexService } from './screening-index.service';
export { SignupChecksService, type SignupOutcome } from './signup-checks.service';
export { ScreeningModule } from './screening.module';
export { SignupMatchesModule } from './signup-matches.module';
export { ScreeningErrors } from './screening.errors';
export {
  SIGNUP_LIMITS,
  signupCheckSchema,
  signupBatchSchema,
  signupResultSchema,
  signupBatchResultSchema,
  signupMatchViewSchema,
  type SignupMatchView,
  matchReviewSchema,
  type MatchReviewInput,
  matchReviewResultSchema,
  type MatchReviewResult,
} from './signup-checks.schemas';
export { AttemptsService } from './attempts.service';
export {
  attemptsQuerySchema,
  type AttemptsQuery,
  attemptPageSchema,
  type AttemptPage,
  unreadAttemptsSchema,
  type UnreadAttempts,
} from './attempts.schemas';
export { fastSignupChecks } from './signup-fast-parse';
