#!/usr/bin/env node
// npm run architecture: the figures the layering rules are judged by (docs/architecture.md,
// docs/CONTRIBUTING.md) — the names each lib's door exports and how many files outside the lib use
// them, the imports between libs, and which files write each table. `--check` fails (exit 1) when a
// door exports a name no file outside its lib imports: a door exports what others use, no more.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const LIBS = readdirSync(join(ROOT, 'libs')).filter((l) => statSync(join(ROOT, 'libs', l, 'src', 'index.ts'), { throwIfNoEntry: false }));
// The SDK is a package of its own: its door is its npm interface, used by platforms, not by us only.
const DOORS = LIBS.filter((l) => l !== 'platform-sdk');

function files(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, out);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const sources = ['apps', 'libs', 'test', 'bench', 'migrations'].flatMap((d) => files(join(ROOT, d)));
const libOf = (file) => {
  const parts = relative(ROOT, file).split(sep);
  return parts[0] === 'libs' ? parts[1] : null;
};

// The names a door exports (`export { a, type b } from`, `export * from` expanded), read with the
// compiler so re-exports and type exports count alike.
const program = ts.createProgram(
  DOORS.map((l) => join(ROOT, 'libs', l, 'src', 'index.ts')),
  { allowJs: false, noEmit: true, baseUrl: ROOT, paths: { '@ostracon/*': ['libs/*/src'] }, experimentalDecorators: true, skipLibCheck: true },
);
const checker = program.getTypeChecker();
const exported = {};
for (const lib of DOORS) {
  const sf = program.getSourceFile(join(ROOT, 'libs', lib, 'src', 'index.ts'));
  const symbol = checker.getSymbolAtLocation(sf);
  exported[lib] = symbol ? checker.getExportsOfModule(symbol).map((s) => s.getName()) : [];
}

// Who imports what, through `@ostracon/<lib>` (and `import('@ostracon/<lib>').X` in types).
const used = Object.fromEntries(DOORS.map((l) => [l, new Map()]));
const edges = new Map();
let importStatements = 0;
for (const file of sources) {
  const text = readFileSync(file, 'utf8');
  const from = libOf(file);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const visit = (node) => {
    let spec;
    let names = [];
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      spec = node.moduleSpecifier.text;
      const clause = ts.isImportDeclaration(node) ? node.importClause?.namedBindings : node.exportClause;
      if (clause && (ts.isNamedImports(clause) || ts.isNamedExports(clause)))
        names = clause.elements.map((e) => (e.propertyName ?? e.name).text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      spec = node.argument.literal.text;
      if (node.qualifier) names = [ts.isIdentifier(node.qualifier) ? node.qualifier.text : node.qualifier.left.getText?.(sf)];
    }
    const m = spec && /^@ostracon\/([a-z-]+)$/.exec(spec);
    if (m && DOORS.includes(m[1]) && m[1] !== from) {
      for (const n of names) {
        if (!used[m[1]].has(n)) used[m[1]].set(n, new Set());
        used[m[1]].get(n).add(relative(ROOT, file));
      }
      // An integration spec may wire the libs above its own, as an app does: not an edge of the layers.
      if (from && !/\.(spec|integration-spec)\.ts$/.test(file)) {
        const key = `${from} → ${m[1]}`;
        edges.set(key, (edges.get(key) ?? 0) + 1);
        importStatements += 1;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

// Writers of each table: statements that change it, by file (SQL text), and the entity managers'
// writes (save/insert/update/delete of an entity class, mapped to its table).
const entityTables = {};
for (const file of sources.filter((f) => f.endsWith('.entity.ts'))) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/@Entity\(\{?\s*(?:name:\s*)?'([a-z_]+)'[\s\S]*?export class (\w+)/g)) entityTables[m[2]] = m[1];
}
const tables = new Set(
  sources
    .filter((f) => relative(ROOT, f).startsWith('migrations'))
    .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)/g)].map((m) => m[1])),
);
const writers = {};
const isProduction = (f) => /^(apps|libs)\//.test(relative(ROOT, f)) && !/\.(spec|integration-spec|e2e-spec)\.ts$/.test(f);
for (const file of sources.filter(isProduction)) {
  const text = readFileSync(file, 'utf8');
  const add = (table) => ((writers[table] ??= new Set()).add(relative(ROOT, file)));
  for (const m of text.matchAll(/\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([a-z_]+)"?/gi)) if (tables.has(m[1].toLowerCase())) add(m[1].toLowerCase());
  // Entity managers (`em.save(X, …)`), repositories (`getRepository(X).save(…)`) and query builders
  // (`.update(X)`, `.insert().into(X)`, `.delete().from(X)`).
  for (const m of text.matchAll(/\.(?:save|insert|update|delete|upsert|remove)\(\s*(\w+)\s*[,)]/g)) if (entityTables[m[1]]) add(entityTables[m[1]]);
  for (const m of text.matchAll(/getRepository\(\s*(\w+)\s*\)\s*\.(?:save|insert|update|delete|upsert|remove)\(/g)) if (entityTables[m[1]]) add(entityTables[m[1]]);
  for (const m of text.matchAll(/\.(?:into|from)\(\s*(\w+)\s*[,)]/g)) if (entityTables[m[1]] && /\.(?:insert|delete)\(\s*\)/.test(text)) add(entityTables[m[1]]);
}

const report = {
  doors: Object.fromEntries(
    DOORS.map((l) => [l, { exported: exported[l].length, usedOutside: exported[l].filter((n) => used[l].has(n)).length }]),
  ),
  unusedOutside: Object.fromEntries(DOORS.map((l) => [l, exported[l].filter((n) => !used[l].has(n))]).filter(([, v]) => v.length)),
  importsBetweenLibs: { statements: importStatements, edges: Object.fromEntries([...edges].sort()) },
  writersPerTable: Object.fromEntries(Object.entries(writers).sort().map(([t, s]) => [t, [...s].sort()])),
};
const totals = Object.values(report.doors).reduce((a, d) => ({ exported: a.exported + d.exported, usedOutside: a.usedOutside + d.usedOutside }), { exported: 0, usedOutside: 0 });

if (process.argv.includes('--check')) {
  const extra = Object.entries(report.unusedOutside);
  if (extra.length) {
    for (const [lib, names] of extra) process.stderr.write(`@ostracon/${lib} exports names no file outside it imports: ${names.join(', ')}\n`);
    process.exit(1);
  }
  const many = Object.entries(report.writersPerTable).filter(([, w]) => w.length > 1);
  if (many.length) {
    for (const [table, w] of many) process.stderr.write(`${table} is written by ${w.length} files: ${w.join(', ')}\n`);
    process.exit(1);
  }
} else {
  process.stdout.write(JSON.stringify({ totals, ...report }, null, 2) + '\n');
}
