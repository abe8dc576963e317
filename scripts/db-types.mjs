#!/usr/bin/env node
// The row types of the migrated schema (docs/decisions/0014), by kanel: one interface per table of
// `public`, named after it (`directives` → `DirectivesRow`), its columns as `pg` returns them
// (timestamptz → Date, bytea → Buffer, bigint and numeric → string, jsonb → unknown), a text
// column whose CHECK lists its values (`status IN ('pending', …)`) as the union of those values.
// Formatted by prettier with the repository's settings, so the output does not depend on where it
// is written.
//
//   node scripts/db-types.mjs <connection URL> [output file]
//
// npm run db:types (scripts/db-types.sh) runs it against a freshly migrated database;
// test/db-types.e2e-spec.ts runs it against the test database and compares.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import kanel from 'kanel';
import * as prettier from 'prettier';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the committed file lives: prettier's settings are looked up from here. */
export const SCHEMA_TYPES_FILE = join(ROOT, 'libs', 'database', 'src', 'schema.generated.ts');

/** PostgreSQL types as node-postgres returns them with its default parsers (the project sets none). */
const TYPES = {
  'pg_catalog.bool': 'boolean',
  'pg_catalog.int2': 'number',
  'pg_catalog.int4': 'number',
  // 64 bits do not fit a number: pg returns the text.
  'pg_catalog.int8': 'string',
  // A transaction id: pg has no parser for it, so the text.
  'pg_catalog.xid8': 'string',
  'pg_catalog.float4': 'number',
  'pg_catalog.float8': 'number',
  'pg_catalog.numeric': 'string',
  'pg_catalog.text': 'string',
  'pg_catalog.varchar': 'string',
  'pg_catalog.bpchar': 'string',
  'pg_catalog.uuid': 'string',
  'pg_catalog.inet': 'string',
  'pg_catalog.bytea': 'Buffer',
  'pg_catalog.date': 'Date',
  'pg_catalog.timestamp': 'Date',
  'pg_catalog.timestamptz': 'Date',
  'pg_catalog.json': 'unknown',
  'pg_catalog.jsonb': 'unknown',
};

const toPascal = (snake) => snake.replace(/(^|_)([a-z0-9])/g, (_, __, c) => c.toUpperCase());
const rowName = (table) => `${toPascal(table)}Row`;

/**
 * The values a CHECK constraint allows a column, when it says just that: PostgreSQL stores
 * `status IN ('a', 'b')` as `status = ANY (ARRAY['a'::text, 'b'::text])`.
 */
function allowedValues(column, table) {
  for (const check of table.checks ?? []) {
    const match = /^(\w+) = ANY \(ARRAY\[(.*)\]\)$/.exec(check.clause.trim());
    if (!match || match[1] !== column.name) continue;
    const values = [...match[2].matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1].replaceAll("''", "'"));
    if (values.length > 0) return values;
  }
  return null;
}

function columnType(column, table) {
  const values = column.type.fullName === 'pg_catalog.text' ? allowedValues(column, table) : null;
  if (values) return values.map((v) => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`).join(' | ');
  const type = TYPES[column.type.fullName];
  // A type nobody mapped fails the generation: a guess would be a type the code trusts wrongly.
  if (!type) throw new Error(`${table.name}.${column.name}: no TypeScript type for ${column.type.fullName} (scripts/db-types.mjs)`);
  return type;
}

/** Generates the file's text from the database at `connection`. */
export async function generateSchemaTypes(connection) {
  const out = mkdtempSync(join(tmpdir(), 'ostracon-db-types-'));
  const path = join(out, 'schema');
  try {
    await kanel.processDatabase({
      connection,
      schemaNames: ['public'],
      // Tables only (no trigger functions); the migrations' own bookkeeping is TypeORM's.
      filter: (pgType) => pgType.kind === 'table' && pgType.name !== 'schema_migrations',
      outputPath: out,
      generators: [
        kanel.makePgTsGenerator({
          // Also what kanel's own identifier types are resolved with (they are dropped below).
          customTypeMap: TYPES,
          getMetadata: (details, generateFor) => ({
            name: generateFor === 'selector' ? rowName(details.name) : `${rowName(details.name)}_${generateFor}`,
            comment: [`A row of \`${details.name}\`.`],
            path,
            exportAs: 'named',
          }),
          getPropertyMetadata: (property, details) => ({
            name: property.name,
            comment: undefined,
            typeOverride: columnType(property, details),
          }),
          // Columns in the table's order.
          propertySortFunction: (a, b) => a.ordinalPosition - b.ordinalPosition,
          preRenderHooks: [
            // The row as a query returns it, only: no insert or update shapes, no branded ids.
            (output) =>
              Object.fromEntries(
                Object.entries(output).map(([file, contents]) => [
                  file,
                  {
                    ...contents,
                    declarations: contents.declarations
                      .filter((d) => d.declarationType === 'interface' && d.name.endsWith('Row'))
                      .sort((a, b) => a.name.localeCompare(b.name)),
                  },
                ]),
              ),
          ],
        }),
      ],
    });
    // One line a column: kanel leaves a blank line between properties.
    const body = readFileSync(`${path}.ts`, 'utf8').replace(/;\n\n(?=\s+\w)/g, ';\n');
    const header = [
      '// @generated by kanel from the migrated schema (docs/decisions/0014): `npm run db:types` writes it,',
      '// test/db-types.e2e-spec.ts checks it is current. Do not edit by hand.',
      '',
      '',
    ].join('\n');
    const options = await prettier.resolveConfig(SCHEMA_TYPES_FILE);
    return prettier.format(header + body, { ...options, filepath: SCHEMA_TYPES_FILE });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [connection, file = SCHEMA_TYPES_FILE] = process.argv.slice(2);
  if (!connection) {
    process.stderr.write('usage: node scripts/db-types.mjs <connection URL> [output file]\n');
    process.exit(2);
  }
  writeFileSync(file, await generateSchemaTypes(connection));
  process.stderr.write(`[ostracon] row types written to ${file}\n`);
}
