/**
 * The thesis text the tests check data/thesis/ against, read from a fixture inside the repository
 * (test/fixtures/thesis/seed-lines.jsonl): only the lines the tests need, each with its line number
 * in the thesis text. A clone without the thesis text beside it (../shared/seeds/) runs every
 * test; test/thesis/seed-fixture.test.ts checks the fixture against the text where it is present.
 *
 * The lines kept: every line data/thesis/ cites (and the next one where a value wraps onto it),
 * every chapter's first line and section heading, every table or figure caption, and every table
 * line (a line with a tab).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** The thesis text's file name among the seeds. */
export const SEED_NAME = '001_666abb54a6c10ee7.txt';

/** The fixture file. */
export const SEED_FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'thesis', 'seed-lines.jsonl');

/** Where the thesis text may be: $GUESTBENCH_SEEDS, else ../shared/seeds/ beside the checkout. */
export function seedFile(): string {
  const dir = process.env.GUESTBENCH_SEEDS ?? path.resolve(repoRoot, '..', 'shared', 'seeds');
  return path.join(dir, SEED_NAME);
}

/** "4.5.1 CPU Performance": a section heading. */
export const HEADING = /^\d+(?:\.\d+)+ \S/;
/** "Table 4.2: Native Performance Profile": a caption. */
const CAPTION = /^(?:Table|Figure) \d+\.\d+:/;
/** "Chapter 4": a chapter's first line. */
const CHAPTER = /^\s*Chapter \d+\s*$/;

/** The thesis lines the tests read, by line number (1-based), in order. */
export class SeedLines {
  constructor(
    /** number of lines of the whole text */
    readonly total: number,
    private readonly byLine: ReadonlyMap<number, string>,
  ) {}

  /** The text of line `line`; throws when the fixture does not hold it (regenerate the fixture). */
  line(line: number): string {
    const text = this.byLine.get(line);
    if (text === undefined)
      throw new Error(
        `thesis line ${line} is not in ${path.relative(repoRoot, SEED_FIXTURE)}: regenerate it (see test/thesis/seed-fixture.test.ts)`,
      );
    return text;
  }

  /** Whether the fixture holds line `line`. */
  has(line: number): boolean {
    return this.byLine.has(line);
  }

  /** [line, text] pairs in line order. */
  entries(): Array<[number, string]> {
    return [...this.byLine.entries()].sort((a, b) => a[0] - b[0]);
  }

  /** The nearest section heading at or above `line` ("4.5.1"), among the kept lines. */
  sectionAt(line: number): string | undefined {
    for (const [at, text] of this.entries().reverse()) {
      if (at > line) continue;
      const match = /^(\d+\.\d+(?:\.\d+)?) \S/.exec(text);
      if (match) return match[1];
    }
    return undefined;
  }
}

/** The lines data/thesis/ cites: each `"line": N` of its files, and N + 1 on a record that wraps. */
export function citedLines(dataDir = path.join(repoRoot, 'data', 'thesis')): Set<number> {
  const cited = new Set<number>();
  for (const name of fs.readdirSync(dataDir).filter((file) => /\.jsonl?$/.test(file))) {
    for (const record of fs.readFileSync(path.join(dataDir, name), 'utf8').split('\n')) {
      const wraps = /"wrap"\s*:\s*true/.test(record);
      for (const match of record.matchAll(/"line"\s*:\s*(\d+)/g)) {
        const line = Number(match[1]);
        cited.add(line);
        if (wraps) cited.add(line + 1);
      }
    }
  }
  return cited;
}

/** The fixture's content picked from the whole text (split into lines). */
export function pickSeedLines(text: readonly string[], cited: ReadonlySet<number> = citedLines()): SeedLines {
  const kept = new Map<number, string>();
  text.forEach((line, index) => {
    const number = index + 1;
    const kind = HEADING.test(line) || CAPTION.test(line) || CHAPTER.test(line) || line.includes('\t');
    if (cited.has(number) || kind) kept.set(number, line);
  });
  return new SeedLines(text.length, kept);
}

/** The fixture file's text for `lines`: a header record, then one {line, text} record per line. */
export function seedFixtureText(lines: SeedLines): string {
  const records = [
    JSON.stringify({ seed: SEED_NAME, lines: lines.total }),
    ...lines.entries().map(([line, text]) => JSON.stringify({ line, text })),
  ];
  return records.join('\n') + '\n';
}

/** Reads the fixture. */
export function readSeedFixture(file = SEED_FIXTURE): SeedLines {
  const [header, ...records] = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const { lines } = JSON.parse(header ?? '{}') as { lines: number };
  const byLine = new Map<number, string>();
  for (const record of records) {
    const { line, text } = JSON.parse(record) as { line: number; text: string };
    byLine.set(line, text);
  }
  return new SeedLines(lines, byLine);
}

let fixture: SeedLines | undefined;

/** The thesis lines the tests read (the fixture, read once per test file). */
export function thesisSeed(): SeedLines {
  fixture ??= readSeedFixture();
  return fixture;
}
