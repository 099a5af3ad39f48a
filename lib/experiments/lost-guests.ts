/**
 * Whether a group's guests still run: a guest killed from outside (kill -9 of its QEMU, `docker
 * kill`, an engine that went away) would make the group's next cells measure fewer guests than
 * their N says. The cell loop asks after an errored cell and starts the group afresh.
 */
import type { Guest } from '../backends/guest.js';

/** Why the group has lost guests ("1 of its 2 guest(s) no longer running (a, b)"), or undefined. */
export async function lostGuests(guests: readonly Guest[]): Promise<string | undefined> {
  const states = await Promise.all(guests.map((guest) => guest.status().catch(() => 'stopped' as const)));
  const gone = guests.filter((_, index) => states[index] !== 'running');
  if (gone.length === 0) return undefined;
  return `${gone.length} of its ${guests.length} guest(s) no longer running (${gone.map((guest) => guest.spec.name).join(', ')})`;
}
