export { SignalIndex, type IndexedOrder, type IndexedSignal, type IndexMatch } from './signal-index';
export { IndexLoader, type LoadedOrders } from './index-loader';
export { Screener, decide, type CheckResult, type Decision } from './screener';
export { ScreeningIndexService, type IndexStats } from './screening-index.service';
export { SignupChecksService, type SignupOutcome } from './signup-checks.service';
export { ScreeningModule } from './screening.module';
export { ScreeningErrors } from './screening.errors';
export {
  SIGNUP_LIMITS,
  signupSignalSchema,
  signupCheckSchema,
  signupBatchSchema,
  signupResultSchema,
  signupBatchResultSchema,
  signupMatchViewSchema,
  type SignupCheckInput,
  type SignupBatchInput,
  type SignupMatchView,
} from './signup-checks.schemas';
export { fastSignupChecks } from './signup-fast-parse';
