/**
 * Campaign ids: sortable by time, readable, unique enough for one machine.
 */
import { randomBytes } from 'node:crypto';

/** A new campaign id such as 2026-11-21T23-00-00Z-a1b2. */
export function newCampaignId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(':', '-');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** True when `id` has the shape newCampaignId() produces. */
export function isCampaignId(id: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z-[0-9a-f]{4}$/.test(id);
}
