/**
 * The test database guard: tests truncate and write freely, so they refuse to run against
 * any database whose name does not say it is for tests.
 */
export default function globalSetup(): void {
  const url = process.env.DATABASE_URL;
  if (!url) return; // pure unit tests need no database; integration tests fail on their own
  const name = new URL(url).pathname.replace(/^\//, '');
  if (!/test/.test(name)) {
    throw new Error(`Refusing to run tests against database "${name}": its name must contain "test" (use npm test).`);
  }
}
