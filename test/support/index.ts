/** What integration specs beside a lib may use of the test world (`@ostracon/test-support`). */
export { RAW, daysFrom, idempotencyKey, isoDate, orderBody, uniqueReference } from './builders';
export { OffsetClock, asOwner, freePort, isolatedDatabase, testConfig, waitFor } from './isolated';
export { RedisServer } from './redis-server';
export { SimulatedPlatform } from './simulated-platform';
export { authorityRow, plannedOrder, platformClient, platformRow } from './lib-fixtures';
export { libContext, type LibContext } from './lib-context';
