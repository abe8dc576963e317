/**
 * The test database guard: tests truncate and write freely, so they refuse to run against
 * any database whose name does not say it is for tests.
 */
export default function globalSetup(): void {
  const url = process.env.DATABASE_URL;
  // Unset, the configuration would fall back to the development database: refuse that too.
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with npm test, which sets up a test database.');
  const name = new URL(url).pathname.replace(/^\//, '');
  if (!/test/.test(name)) {
    throw new Error(`Refusing to run tests against database "${name}": its name must contain "test" (use npm test).`);
  }
}
