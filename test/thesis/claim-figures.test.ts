/**
 * Every claim read against the thesis's own numbers: the thesis's figure of the claim's quantity,
 * computed from the values.jsonl rows the record names, lies in the claim's band, or the record
 * cites an inconsistency of the thesis (inconsistencies.json) that involves those rows and says why
 * it cannot. "Same / constant / level" claims are bands centred on 1; restatements point back.
 */
import { describe, expect, it } from 'vitest';
import { claimBand } from '../../lib/analysis/claims/claim-verdict.js';
import {
  computeThesisFigure,
  countingUnit,
  loadClaims,
  loadThesis,
  thesisFigureRows,
  type ClaimRecord,
} from '../../lib/thesis/index.js';

const claims = loadClaims();
const thesis = loadThesis();
const rows = new Map(thesis.rows.map((row) => [row.id, row]));
const inconsistencies = new Map(thesis.inconsistencies.map((entry) => [entry.id, entry]));

function rowValue(id: string): number {
  const value = rows.get(id)?.value;
  if (typeof value !== 'number') throw new Error(`row ${id} has no numeric value`);
  return value;
}

/** The thesis's figure: computed from rows where the record says how, else its value (from words). */
function figureOf(claim: ClaimRecord): number | null {
  return claim.thesis.figure === null ? claim.thesis.value : computeThesisFigure(claim.thesis.figure, rowValue);
}

describe("the claims against the thesis's own figures", () => {
  it.each(claims.map((claim) => [claim.id, claim] as const))(
    '%s: the band holds the figure, or an inconsistency says why',
    (_, claim) => {
      const figure = figureOf(claim);
      if (figure === null) {
        // a direction the thesis states in words only: no number of its own to check
        expect(claim.thesis.rows, `${claim.id} cites rows: give it a figure`).toEqual([]);
        expect('above' in claim.tolerance || 'below' in claim.tolerance).toBe(true);
        return;
      }
      const band = claimBand(claim.tolerance, claim.thesis.value);
      if (figure >= band.low && figure <= band.high) return;
      const figureRows = claim.thesis.figure === null ? claim.thesis.rows : thesisFigureRows(claim.thesis.figure);
      const explained = claim.thesis.inconsistencies.some((id) =>
        inconsistencies.get(id)?.rows.some((row) => figureRows.includes(row)),
      );
      expect(
        explained,
        `${claim.id}: figure ${figure} outside [${band.low}, ${band.high}] and no inconsistency cited`,
      ).toBe(true);
    },
  );

  it('computes the figures the records print', () => {
    const figure = (id: string) => figureOf(claims.find((claim) => claim.id === id) as ClaimRecord);
    expect(figure('4.5.1-cpu-vm-n8-over-n1')).toBeCloseTo(43 / 35.94, 10);
    expect(figure('4.5.2-fileio-vm-halves')).toBeCloseTo(0.125, 10);
    expect(figure('4.5.2-fileio-container-n2-flat')).toBeCloseTo(0.9975, 10);
    expect(figure('5.0.2-boot-n8-vm-over-container')).toBeCloseTo(9 / 0.44, 10);
    expect(figure('5.0.3-restore-container-no-gain')).toBeCloseTo(0.44 / 0.41, 10);
    expect(figure('6.5.2-vm-downtime-load-flat')).toBeCloseTo(2210 / 2670, 10);
    // the two the thesis cannot reconcile: the band holds the words, the printed speeds fall outside
    expect(figure('7.1-fileio-container-constant-n8')).toBeCloseTo(0.5 / 2.01, 10);
    expect(figure('4.5.2-fileio-vm-speed-inverse-n')).toBeCloseTo(0.07560546875 / 2.01, 10);
  });

  it('centres "same / constant / level" claims on 1', () => {
    const same = claims.filter((claim) =>
      /\b(same|constant|level|equivalent|overlaps|about as fast as|does not depend)\b/.test(claim.claim),
    );
    expect(same.length).toBeGreaterThanOrEqual(15);
    for (const claim of same) {
      expect(claim.thesis.value, claim.id).toBe(1);
      expect('within' in claim.tolerance || 'factor' in claim.tolerance, claim.id).toBe(true);
    }
  });

  it('points a restatement back to an earlier claim of the same quantity, counted once with it', () => {
    const byId = new Map(claims.map((claim) => [claim.id, claim]));
    const restatements = claims.filter((claim) => claim.restates !== null);
    expect(restatements.filter((claim) => claim.section.startsWith('7')).length).toBeGreaterThanOrEqual(15);
    for (const claim of restatements) {
      const original = byId.get(claim.restates as string) as ClaimRecord;
      expect(original.line, claim.id).toBeLessThan(claim.line);
      expect(original.experiment, claim.id).toBe(claim.experiment);
      expect(countingUnit(claim), claim.id).toBe(countingUnit(original));
    }
    // every chapter 7 claim restates one of chapters 4-6
    expect(
      claims.filter((claim) => claim.section.startsWith('7') && claim.restates === null).map((claim) => claim.id),
    ).toEqual(['7.1-fileio-container-constant-n8']);
  });

  it('groups the claims of one quantity within one experiment', () => {
    const groups = new Map<string, ClaimRecord[]>();
    for (const claim of claims)
      if (claim.group !== null) groups.set(claim.group, [...(groups.get(claim.group) ?? []), claim]);
    for (const [group, members] of groups) {
      expect(members.length, group).toBeGreaterThanOrEqual(2);
      expect(new Set(members.map((claim) => claim.experiment)).size, group).toBe(1);
    }
    expect(groups.get('kvm-cold-boot-over-restore')?.map((claim) => claim.id)).toEqual([
      '5.0.3-restore-vm-3x',
      '5.0.3-restore-vm-10x',
      '7.1-restore-helps-vms',
    ]);
  });
});
