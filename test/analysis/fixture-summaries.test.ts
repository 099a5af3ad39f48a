/**
 * The committed fixture campaigns, summarized: a refactor of the backend model, the store or the
 * statistics must leave every summary of every committed campaign exactly as it was.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { summarizeMigration } from '../../lib/analysis/migration-summary.js';
import { summarizeRestore } from '../../lib/analysis/latency-restore-summary.js';
import { summarize } from '../../lib/analysis/summarize.js';

// order-free: the rows' order is the legend order's business (tested where it is defined), their values are this test's
const canonical = <T>(rows: readonly T[]): T[] =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/campaigns');
const campaigns = fs.readdirSync(FIXTURES).filter((id) => fs.existsSync(path.join(FIXTURES, id, 'campaign.json')));

describe('summaries of the committed fixture campaigns', () => {
  it.each(campaigns)('%s', async (id) => {
    const campaign = loadCampaign(path.join(FIXTURES, id));
    const summaries = {
      experiment: campaign.meta.experiment,
      repeats: canonical(summarize(campaign.samples)),
      guests: canonical(summarize(campaign.samples, { unit: 'guest' })),
      ...(campaign.meta.experiment === 'latency-restore'
        ? { restore: canonical(summarizeRestore(campaign.samples)) }
        : {}),
      ...(campaign.meta.experiment === 'migration'
        ? { migration: canonical(summarizeMigration(campaign.samples)) }
        : {}),
    };
    await expect(JSON.stringify(summaries, null, 1)).toMatchFileSnapshot(`snapshots/${id}.json`);
  });
});
