/**
 * What a guest container runs as its main process: a shell that prints the ready marker, then
 * sleeps until the container is stopped.
 */

/** Printed by a container's main process once it runs: the container's readiness signal. */
export const CONTAINER_READY_MARKER = 'guestbench-ready';

/**
 * The main process of a guest container. With `exitOnSigterm` it exits (status 0) on SIGTERM, as a
 * well-behaved service does, so `docker stop` returns as soon as it has exited; without, it is
 * `sleep`, which as PID 1 of its namespace ignores SIGTERM, so a stop waits out the grace period.
 */
export function containerCommand(exitOnSigterm: boolean): string[] {
  return exitOnSigterm
    ? // a trapped signal interrupts `wait` (not a foreground command); PID 1's exit ends the container
      ['sh', '-c', `trap 'exit 0' TERM; echo ${CONTAINER_READY_MARKER}; sleep infinity & wait`]
    : ['sh', '-c', `echo ${CONTAINER_READY_MARKER}; exec sleep infinity`];
}
