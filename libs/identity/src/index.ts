// docs/signals.md: normalization and the prehash have one implementation, the platform SDK's,
// which platforms run too, so the service and a platform can never disagree on a signal.
export * from '@ostracon/platform-sdk/signals';
export { signalDigest, PepperedDigest, isHexPrehash } from './hash';
export { signalInputSchema } from './signal-input.schema';
