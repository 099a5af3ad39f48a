/**
 * Tables and thesis adapters for the file I/O and MySQL density notebooks: how a campaign stored its
 * files and whether a page cache could serve them, and the thesis's values in the metrics we measure.
 */
import type { CachingVerdict } from '../analysis/fileio-caching.js';
import { thesisPoints, type ThesisPoint } from '../analysis/thesis-points.js';
import { BACKEND_NAMES, backendDescriptor } from '../model/backends.js';
import type { DensityFileioParams, DensityMysqlParams, StorageNote } from '../results/parameters.js';
import { htmlTable } from './html-table.js';

const MiB = 2 ** 20;

function size(bytes: number): string {
  return bytes >= 2 ** 30
    ? `${(bytes / 2 ** 30).toFixed(bytes % 2 ** 30 === 0 ? 0 : 2)} GiB`
    : `${Math.round(bytes / MiB)} MiB`;
}

/**
 * The thesis's density-fileio values in our metric names. sysbench 0.4.12 counted a fileio "event"
 * per read or write (its 34854 native events are its 20912 reads + 13941 writes); sysbench 1.0 also
 * counts every fsync. So the thesis's `events` are compared with our `requests` (reads + writes).
 */
export function fileioThesisPoints(dir?: string): ThesisPoint[] {
  return thesisPoints('density-fileio', dir).map((point) =>
    point.metric === 'events'
      ? { ...point, metric: 'requests', source: `${point.source}; sysbench 0.4 "events" = reads + writes` }
      : point,
  );
}

/** One row per backend of the campaign: how its guests stored their files. */
function storageRows(storage: StorageNote): Array<[string, string]> {
  return BACKEND_NAMES.flatMap((backend): Array<[string, string]> => {
    const note = storage[backend];
    return note === undefined ? [] : [[`${backendDescriptor(backend).title}: storage`, note]];
  });
}

/** Rows of a two-column table. */
function settingsTable(rows: Array<[string, string]>, caption: string): string {
  return htmlTable(
    rows,
    [
      { label: 'setting', value: ([name]) => name },
      { label: 'value', value: ([, value]) => value },
    ],
    caption,
  );
}

/** What a density-fileio campaign ran: sysbench options, file set sizes (and caps), storage per backend. */
export function fileioSetupHtml(params: DensityFileioParams): string {
  const fileio = params.fileio;
  return settingsTable(
    [
      [
        'test',
        `sysbench fileio --file-test-mode=${fileio.testMode} --file-io-mode=${fileio.ioMode}, ${fileio.threads} thread(s), ${fileio.timeSeconds} s per run (--events=0)`,
      ],
      [
        'file set',
        `${fileio.fileNum} files of ${fileio.blockBytes / 1024} KiB blocks; ${size(fileio.fileTotalBytes)} per VM or container, ${size(params.nativeFileTotalBytes)} per native copy`,
      ],
      ['how the sizes were chosen', params.fileSetNotes.join('; ')],
      [
        'O_DIRECT (--file-extra-flags=direct)',
        fileio.direct
          ? 'yes: the page cache is bypassed'
          : 'no (as in the thesis): reads and writes go through the page cache',
      ],
      [
        'fsync',
        `every ${fileio.fsyncFreq} requests, of every file (--file-fsync-freq=${fileio.fsyncFreq}), and at the end (${fileio.fsyncEnd ? 'on' : 'off'}); read/write ratio ${fileio.rwRatio}`,
      ],
      ...storageRows(params.storage),
      ['untimed phases', params.phases],
    ],
    'How this campaign ran sysbench fileio',
  );
}

/** Whether a page cache could serve each cell's files (see cachingAssessment). */
export function cachingHtml(verdicts: readonly CachingVerdict[]): string {
  return htmlTable(
    verdicts,
    [
      {
        label: 'backend',
        value: (verdict) => backendDescriptor(verdict.backend).label,
      },
      { label: 'N', value: (verdict) => String(verdict.guests), align: 'right' },
      { label: 'file set per guest', value: (verdict) => size(verdict.fileSetBytes), align: 'right' },
      {
        label: 'caching defeated?',
        value: (verdict) => (verdict.defeated ? 'yes' : 'NO: the numbers can measure memory, not storage'),
      },
      { label: 'why', value: (verdict) => verdict.why },
    ],
    "Can a page cache hold the files? (computed from the campaign's parameters and the host's RAM)",
  );
}

/** What a density-mysql campaign ran: sysbench options, server, storage per backend. */
export function mysqlSetupHtml(params: DensityMysqlParams): string {
  const oltp = params.oltp;
  return settingsTable(
    [
      [
        'test',
        `sysbench ${oltp.test}, ${oltp.tables} table of ${oltp.tableSize.toLocaleString('en-US')} rows, ${oltp.threads} threads, ${oltp.timeSeconds} s per run (--events=0)`,
      ],
      [
        'server',
        `MariaDB (one per guest; the version heads each raw output file), options ${params.server.options.join(' ')}; connection: ${params.server.connection}`,
      ],
      [
        'account',
        `${params.server.user}@localhost on database ${params.server.database}; password: ${params.server.password}`,
      ],
      ...storageRows(params.storage),
      ['untimed phases', params.phases],
    ],
    'How this campaign ran MariaDB and sysbench',
  );
}
