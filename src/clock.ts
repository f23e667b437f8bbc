/** The only source of "now" in ecs-medic; injected so tests never depend on wall time. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock frozen at `iso`, for tests and snapshot replays. */
export function fixedClock(iso: string): Clock {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new RangeError(`fixedClock: not an ISO date: ${iso}`);
  return () => new Date(at);
}
