/**
 * The thesis's published numbers (data/thesis/) with provenance: typed rows, the inconsistencies
 * the thesis contains, and query helpers for notebooks.
 */
export * from './thesis-row.js';
export { ThesisDataError, ThesisLookupError } from './errors.js';
export {
  INCONSISTENCIES_FILE,
  THESIS_BACKENDS,
  VALUES_FILE,
  findThesisDir,
  loadInconsistencies,
  loadThesis,
  loadThesisRows,
  thesisRowKey,
  type ThesisData,
} from './load-thesis.js';
export {
  THESIS_FRAME_COLUMNS,
  selectThesisRows,
  thesisFrame,
  thesisNumber,
  thesisRecords,
  thesisValue,
  type ThesisFilter,
  type ThesisFrameRecord,
  type ThesisQuery,
  type ThesisSelectOptions,
} from './thesis-frame.js';
export * from './claim-record.js';
export { ClaimDataError } from './errors.js';
export { loadClaims, parseClaims, type ClaimFilter } from './load-claims.js';
