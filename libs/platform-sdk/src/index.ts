/**
 * @ostracon/platform-sdk: what a platform runs to work with Ostracon (README.md).
 * - signals: the normalization and prehash of docs/signals.md, the very code the service runs;
 * - PrivateScreener: private sign-up checks (RFC 9497 VOPRF), raw values never leave the platform;
 * - OstraconClient: directives (pull, ack) and plain checks, retries honouring Retry-After;
 * - verifyWebhook: Standard Webhooks verification of pushed directives, both secrets in a rotation;
 * - paths, components: the API's types, generated from its OpenAPI document (npm run openapi:types),
 *   for openapi-fetch or any typed client; types only, nothing at run time.
 */
export * from './signals';
export { OstraconClient, type CheckResult, type Decision, type AckOutcome } from './client';
export { OstraconError, type ClientOptions } from './http';
export { verifyWebhook, WebhookVerificationError, type Directive, type WebhookHeaders } from './webhooks';
export { PrivateScreener, type PrivateScreenerOptions, type PrivateCheckResult } from './private/private-screener';
export { TagSet, type Strength } from './private/tag-set';
export * as voprf from './private/voprf';
export * as transparency from './transparency';
export type { paths, components } from './api-types';
