/**
 * The study guestbench re-runs, cited the same way wherever a page or a pack names it.
 */

/** The reference study: author, title, kind of work, institution and year. */
export const THESIS_CITATION = {
  author: 'R. Dhar',
  title: 'Comparative evaluation of Virtual Environments: Virtual Machines and Containers',
  kind: 'MSc thesis',
  institution: 'Trinity College Dublin',
  year: 2016,
} as const;

/** `R. Dhar, "Comparative evaluation of ...", MSc thesis, Trinity College Dublin, 2016`. */
export function thesisCitationText(): string {
  const { author, title, kind, institution, year } = THESIS_CITATION;
  return `${author}, "${title}", ${kind}, ${institution}, ${year}`;
}
