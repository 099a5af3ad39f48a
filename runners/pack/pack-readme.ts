/**
 * What a pack tells its reviewer: README.md (what is inside, what is needed, the one command) and
 * the two scripts that command runs. The reviewer needs Node 20 and Jupyter with the tslab kernel;
 * nothing on that path starts Docker, QEMU or KVM, or loads anything but npm packages.
 */

/** What the README and scripts say about one pack. */
export interface PackFacts {
  /** the pack's top folder */
  name: string;
  campaigns: ReadonlyArray<{
    id: string;
    experiment: string;
    profile: string;
    startedAt: string;
    /** the host it ran on (campaign.json's hostname) */
    host: string;
    rows: number;
  }>;
  /** notebook file names */
  notebooks: readonly string[];
  /** the guestbench version and commit that made the pack */
  version: string;
  createdAt: string;
}

/** The folder the reviewer's run writes its report into (the packed one stays as it was). */
export const RERUN_DIR = 'report-rerun';

/** The reviewer's one command, as the README prints it. */
export const REVIEWER_COMMAND = 'bash reproduce.sh';

/** reproduce.sh: install the runtime dependencies once, re-execute the notebooks, compare tables. */
export function reproduceScript(facts: PackFacts): string {
  const ids = facts.campaigns.map((campaign) => campaign.id).join(',');
  const notebooks = facts.notebooks.map((name) => name.replace(/\.ipynb$/, '')).join(',');
  return `#!/bin/sh
# Re-executes the analysis of the packed campaigns and compares its tables with the packed report's.
# Needs Node 20 and Jupyter with the tslab kernel; the npm registry only for the first \`npm ci\`.
set -e
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --omit=dev --no-audit --no-fund
node bin/guestbench.js report --results campaigns --campaign ${ids} --notebooks ${notebooks} --out ${RERUN_DIR}
node compare-tables.mjs report ${RERUN_DIR}
`;
}

/** compare-tables.mjs: the tables of two reports, cell by cell (exit 1 when they differ). */
export function compareTablesScript(): string {
  return `// Compares every table of two reports' executed notebooks: node compare-tables.mjs report ${RERUN_DIR}
import { compareReportTables, reportTables } from './dist/runners/report/report-tables.js';

const [a = 'report', b = '${RERUN_DIR}'] = process.argv.slice(2);
const differences = compareReportTables(a, b);
const count = Object.values(reportTables(a)).reduce((sum, tables) => sum + tables.length, 0);
if (differences.length === 0) {
  console.log(\`the same \${count} tables in \${a} and \${b}\`);
} else {
  for (const line of differences) console.log(line);
  process.exitCode = 1;
}
`;
}

/** A list read as English: `a`, `a and b`, `a, b and c`. */
const spoken = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;

/**
 * The README's title: what the pack is, not its file name, e.g. `A reviewer's pack: density-cpu and
 * latency campaigns (quick profile) measured on host-a, re-running Dhar (2016)`.
 */
export function packTitle(facts: Pick<PackFacts, 'campaigns'>): string {
  const unique = (values: string[]): string[] => [...new Set(values)];
  const experiments = unique(facts.campaigns.map((campaign) => campaign.experiment));
  const profiles = unique(facts.campaigns.map((campaign) => campaign.profile));
  const hosts = unique(facts.campaigns.map((campaign) => campaign.host));
  const kind = `${spoken(experiments)} campaign${facts.campaigns.length === 1 ? '' : 's'}`;
  return `A reviewer's pack: ${kind} (${spoken(profiles)} profile) measured on ${spoken(hosts)}, re-running Dhar (2016)`;
}

/** README.md for the reviewer. */
export function packReadme(facts: PackFacts): string {
  const campaigns = facts.campaigns
    .map(
      (campaign) =>
        `| \`${campaign.id}\` | ${campaign.experiment} | ${campaign.profile} | ${campaign.host} | ${campaign.startedAt.slice(0, 10)} | ${campaign.rows} |`,
    )
    .join('\n');
  return `# ${packTitle(facts)}

Campaigns measured by guestbench ${facts.version} (a re-run of the benchmarks of R. Dhar, 2016,
*Comparative evaluation of Virtual Environments: Virtual Machines and Containers*), with every
notebook of the analysis, the report they produced, and what is needed to produce it again.
Packed ${facts.createdAt} as \`${facts.name}\`.

| campaign | experiment | profile | host | started | rows |
|---|---|---|---|---|---|
${campaigns}

## Re-run the analysis

Needs Node.js 20 (>= 20.19) and Jupyter (nbconvert and nbclient) with the tslab kernel registered as \`tslab\`
(\`npm i -g tslab && tslab install\`, or after the first \`npm ci\`: \`npx tslab install\`).
No Docker, QEMU or KVM: nothing here runs a guest. The network is used only by \`npm ci\`.

\`\`\`
${REVIEWER_COMMAND}
\`\`\`

It installs the runtime dependencies (\`npm ci --omit=dev\`, once), executes the notebooks on the
packed campaigns into \`${RERUN_DIR}/\` (\`node bin/guestbench.js report --results campaigns ...\`)
and compares every table of \`${RERUN_DIR}/\` with the packed \`report/\`, cell by cell; it ends with
\`the same N tables in report and ${RERUN_DIR}\`, or lists the tables that differ (exit 1).
Open \`report/index.html\` (or \`${RERUN_DIR}/index.html\`) in a browser: it works from file://.

## Contents

| path | what |
|---|---|
| \`campaigns/<id>/\` | each campaign as measured: \`campaign.json\` (host, tool versions, parameters, what the host lacked), \`samples.jsonl\` (one row per value), \`raw/\` (the tool output each value was parsed from) |
| \`rows.csv\` | every row of every campaign, tidy, with the campaign's profile and host beside it (for pandas or R; same as \`guestbench export --format csv\`) |
| \`report/\` | the report as built when packing: \`index.html\`, one HTML page and one executed notebook per notebook |
| \`notebooks/\` | the notebooks (${facts.notebooks.join(', ')}); one of an experiment not packed says what to run |
| \`dist/\`, \`bin/\` | the compiled guestbench library and command line the notebooks import |
| \`data/thesis/\` | the thesis's published numbers the notebooks put beside ours |
| \`package.json\`, \`package-lock.json\` | the exact dependencies (\`npm ci --omit=dev\`) |
| \`reproduce.sh\`, \`compare-tables.mjs\` | the command above |
`;
}
