/**
 * test/fixtures/thesis/seed-lines.jsonl, the thesis lines the tests read, against the thesis text
 * where it is present (../shared/seeds/ beside the checkout, or $GUESTBENCH_SEEDS). To regenerate
 * the fixture after data/thesis/ cites new lines, with the text present:
 *   GUESTBENCH_WRITE_SEED_FIXTURE=1 npx vitest run test/thesis/seed-fixture.test.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  citedLines,
  pickSeedLines,
  readSeedFixture,
  SEED_FIXTURE,
  seedFile,
  seedFixtureText,
} from '../helpers/thesis-seed.js';

const seed = seedFile();
const text = fs.existsSync(seed) ? fs.readFileSync(seed, 'utf8').split('\n') : undefined;
if (text === undefined)
  console.warn(
    `SKIPPED the thesis-text fixture check against the text: ${seed} is not present (set GUESTBENCH_SEEDS to its folder); the tests read the fixture`,
  );
if (text !== undefined && process.env.GUESTBENCH_WRITE_SEED_FIXTURE === '1')
  fs.writeFileSync(SEED_FIXTURE, seedFixtureText(pickSeedLines(text)));

describe('the thesis-text fixture', () => {
  it('holds every line data/thesis/ cites, inside the text', () => {
    const fixture = readSeedFixture();
    const missing = [...citedLines()].filter((line) => !fixture.has(line)).sort((a, b) => a - b);
    expect(missing, `cited lines missing from ${path.basename(SEED_FIXTURE)}: regenerate it (see this file)`).toEqual(
      [],
    );
    for (const [line] of fixture.entries()) expect(line).toBeLessThanOrEqual(fixture.total);
  });

  it.skipIf(text === undefined)('is exactly the lines picked from the thesis text present beside the checkout', () => {
    const picked = pickSeedLines(text as string[]);
    expect(readSeedFixture().total).toBe(picked.total);
    expect(fs.readFileSync(SEED_FIXTURE, 'utf8')).toBe(seedFixtureText(picked));
  });
});
